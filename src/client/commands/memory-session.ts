/**
 * Opens the memory store for one CLI command — `DATABASE_URL`, else the running `specialist dev`
 * stack's PostgreSQL, else an embedded one started for the command — and closes it all afterwards.
 * Memory errors and an unreachable database come out as one-line `CliError`s.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { SpecialistError } from '../../errors';
import { MemoryStore, createMemoryPool, migrateMemoryDatabase } from '../../memory';
import { ensureDatabaseUrl } from '../../stack/ensure-stack';
import { CliError } from '../cli-error';

/** Runs `fn` with a store on a migrated database; the pool and any server started are stopped after. */
export async function withMemoryStore<T>(fn: (store: MemoryStore) => Promise<T>): Promise<T> {
  const database = await ensureDatabaseUrl();
  const pool = createMemoryPool({ connectionString: database.url, max: 2 });
  try {
    try {
      await migrateMemoryDatabase(pool);
    } catch (err) {
      throw new CliError(`cannot prepare the memory database at ${redact(database.url)}: ${message(err)}`);
    }
    return await fn(new MemoryStore(pool));
  } catch (err) {
    if (err instanceof SpecialistError) throw new CliError(err.message);
    if (err instanceof CliError) throw err;
    throw new CliError(`memory database at ${redact(database.url)}: ${message(err)}`, 1);
  } finally {
    await pool.end();
    await database.stop();
  }
}

/** A JSON object from `--value '<json>'` or `--value-file f.json` (exactly one of them when required). */
export function readJsonOption(
  options: { value?: string; valueFile?: string },
  names: { inline: string; file: string },
  required: boolean,
): Record<string, unknown> | undefined {
  if (options.value !== undefined && options.valueFile !== undefined)
    throw new CliError(`give ${names.inline} or ${names.file}, not both`);
  let text: string;
  let source: string;
  if (options.value !== undefined) {
    text = options.value;
    source = names.inline;
  } else if (options.valueFile !== undefined) {
    source = `${names.file} ${options.valueFile}`;
    try {
      text = readFileSync(options.valueFile, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${source}: ${message(err)}`);
    }
  } else {
    if (required)
      throw new CliError(`give the value as ${names.inline} '<json object>' or ${names.file} f.json`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${source} is not valid JSON: ${message(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CliError(
      `${source} must be a JSON object ({...}), got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`,
    );
  return parsed as Record<string, unknown>;
}

/** A whole number option (`--version`, `--limit`). */
export function parseWholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new CliError(`not a whole number: ${value}`);
  return n;
}

/** Who the CLI writes as by default: `cli:<login>` (characters outside the actor alphabet dropped). */
export function defaultActor(): string {
  let login = 'user';
  try {
    login = os.userInfo().username.replace(/[^A-Za-z0-9_.@-]/g, '') || 'user';
  } catch {
    // No passwd entry (some containers): keep the generic name.
  }
  return `cli:${login}`;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(DATABASE_URL)';
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] || String(err) : String(err);
}
