/**
 * The tool's configuration, read from environment variables once and checked with zod. Every bad
 * variable is reported at once (not the first only), and values are never echoed back in errors:
 * DATABASE_URL may carry a password.
 */
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

function port(defaultPort: number) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return defaultPort;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: 'must be a TCP port number (1-65535)' });
        return z.NEVER;
      }
      return n;
    });
}

const hostPort = optionalText.refine(
  (value) =>
    value === undefined || /^[^\s:/]+:\d{1,5}$/.test(value) || /^\[[0-9a-f:]+\]:\d{1,5}$/i.test(value),
  { message: 'must be host:port, e.g. 127.0.0.1:7233' },
);

const postgresUrl = optionalText.refine(
  (value) => {
    if (value === undefined) return true;
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { message: 'must be a postgres:// or postgresql:// connection URL' },
);

/** Whole seconds, at least 1 (unset: undefined). */
const seconds = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number of seconds (1 or more)' });
      return z.NEVER;
    }
    return n;
  });

export const envSchema = z.object({
  /** An existing Temporal frontend (host:port); unset = the embedded dev server. */
  TEMPORAL_ADDRESS: hostPort,
  TEMPORAL_NAMESPACE: optionalText.transform((v) => v ?? 'default'),
  TEMPORAL_TASK_QUEUE: optionalText.transform((v) => v ?? 'python-backend-specialist'),
  /** An existing PostgreSQL for memory; unset = the embedded server. */
  DATABASE_URL: postgresUrl,
  /** The Temporal CLI binary to use for the dev server (overrides PATH and the pinned copy). */
  TEMPORAL_CLI: optionalText,
  /** Data folder (default: `.specialist/` in the tool's checkout). */
  SPECIALIST_HOME: optionalText,
  /** Python interpreter for target projects (see src/python/interpreter.ts). */
  SPECIALIST_PYTHON: optionalText,
  /** Ports of the embedded stack (`specialist dev`). */
  SPECIALIST_TEMPORAL_PORT: port(7233),
  SPECIALIST_UI_PORT: port(8233),
  SPECIALIST_PG_PORT: port(54329),
  /**
   * Seconds a run's step waits for the worker holding its worktree before the run counts it as gone
   * and waits for a person (docs/durable-run.md, Several workers); unset: 5 minutes. Read at `run`.
   */
  SPECIALIST_WORKER_TIMEOUT: seconds,
});

export type Env = z.output<typeof envSchema>;

/** Bad configuration: one line per bad variable, naming the variable and what it must be. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')} (see .env.example)`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` (default `process.env`); throws `ConfigError` listing every bad variable. */
export function parseEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const picked = Object.fromEntries(Object.keys(envSchema.shape).map((key) => [key, env[key]]));
  const result = envSchema.safeParse(picked);
  if (result.success) return result.data;
  // Messages name the variable only; the value (possibly a secret) is never repeated.
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new ConfigError(problems);
}

let cached: Env | undefined;

/** The process configuration, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** Forgets the parsed configuration (tests and commands that change `process.env`). */
export function resetEnv(): void {
  cached = undefined;
}

/** A connection URL with its password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
