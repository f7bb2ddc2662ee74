/**
 * Runs the project's WHOLE pytest suite with coverage and a JUnit report, leaving nothing behind in
 * the workspace (no `.pytest_cache`, `__pycache__` or `.coverage`: the run commits the tree).
 *
 * pytest always ends: our plugin `python/specialist_pytest_exit.py` (loaded with `-p` from the
 * tool's own folder on PYTHONPATH, never written into the project) ends the process with pytest's
 * status once the reports are written, when a thread the project left running (an aiosqlite
 * connection never closed) would otherwise keep the interpreter alive until the timeout.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ERROR_TYPES, SpecialistError } from '../errors';
import { PROJECT_ROOT } from '../python/interpreter';
import { makeTempDir } from '../process/temp-dir';
import { runProcess } from '../python/run-process';
import { parseCoverageJson, type CoverageSummary } from './coverage-report';
import { parseJunitXml, type JunitSummary } from './junit-report';

export const DEFAULT_PYTEST_TIMEOUT_MS = 10 * 60_000;

/** The folder holding our pytest plugins (shipped at the package root, beside dist/). */
export const PYTEST_PLUGIN_DIR = path.join(PROJECT_ROOT, 'python');
export const EXIT_PLUGIN = 'specialist_pytest_exit';

/** PYTHONPATH with our plugin folder first, keeping the caller's entries. */
export function pluginPythonPath(existing: string | undefined): string {
  return [PYTEST_PLUGIN_DIR, ...(existing ? existing.split(path.delimiter).filter(Boolean) : [])].join(
    path.delimiter,
  );
}

/** The arguments that load our plugins (see the module comment). */
export function pluginArgs(): string[] {
  const file = path.join(PYTEST_PLUGIN_DIR, `${EXIT_PLUGIN}.py`);
  if (!existsSync(file)) {
    // An incomplete install: without the plugin a broken database hangs pytest until the timeout.
    throw new SpecialistError(
      ERROR_TYPES.testsFailed,
      `the pytest plugin ${file} is missing: reinstall python-backend-specialist (the python/ folder ships beside dist/)`,
      { file },
    );
  }
  return ['-p', EXIT_PLUGIN];
}

export interface PytestRunOptions {
  python: string;
  root: string;
  /** Packages to measure (`--cov=<package>`); empty runs without coverage. */
  covPackages: string[];
  /** Test paths or node ids; empty runs what the project's configuration collects. */
  targets?: string[];
  /**
   * Folders (relative to the root) put first on the import path: the workspace's own source, ahead of
   * an editable install (`.pth`) that points at the user's checkout of the same package.
   */
  pythonPath?: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
  heartbeat?: (detail: unknown) => void;
}

export interface PytestRun {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  junit?: JunitSummary;
  coverage?: CoverageSummary;
  /** The end of pytest's own output, for failures the JUnit report cannot explain (usage errors). */
  outputTail: string;
}

/**
 * A duration from the environment: `90s`, `10m`, `600000ms`, or a bare number of seconds.
 * Returns undefined for anything else.
 */
export function parseDuration(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1_000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(amount * factor);
}

/** The option wins, then `SPECIALIST_PYTEST_TIMEOUT`, then 10 minutes. */
export function pytestTimeoutMs(option?: number): number {
  return option ?? parseDuration(process.env.SPECIALIST_PYTEST_TIMEOUT) ?? DEFAULT_PYTEST_TIMEOUT_MS;
}

/** `PYTHONPATH` with the root's folders first (PYTHONPATH precedes site-packages and its `.pth` entries). */
export function importPathFirst(root: string, folders: string[] = []): { PYTHONPATH?: string } {
  if (folders.length === 0) return {};
  const first = [...new Set(folders.map((f) => path.resolve(root, f)))];
  const rest = (process.env.PYTHONPATH ?? '').split(path.delimiter).filter((p) => p && !first.includes(p));
  return { PYTHONPATH: [...first, ...rest].join(path.delimiter) };
}

export async function runPytest(options: PytestRunOptions): Promise<PytestRun> {
  const temp = await makeTempDir('pytest');
  const reports = temp.path;
  try {
    const junitPath = path.join(reports, 'junit.xml');
    const coveragePath = path.join(reports, 'coverage.json');
    const args = [
      '-m',
      'pytest',
      '-p',
      'no:cacheprovider',
      ...pluginArgs(),
      '-o',
      'junit_family=xunit1',
      `--junitxml=${junitPath}`,
      '-q',
      '--no-header',
    ];
    for (const pkg of options.covPackages) args.push(`--cov=${pkg}`);
    if (options.covPackages.length > 0) args.push(`--cov-report=json:${coveragePath}`);
    args.push(...(options.targets ?? []));
    const outcome = await runProcess(options.python, args, {
      cwd: options.root,
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: '1',
        // Our plugin's folder, then the workspace's source (ahead of an editable install), then the rest.
        PYTHONPATH: pluginPythonPath(
          importPathFirst(options.root, options.pythonPath).PYTHONPATH ?? process.env.PYTHONPATH,
        ),
        COVERAGE_FILE: path.join(reports, '.coverage'),
        // The project's own terminal must not decide what we parse.
        PYTEST_ADDOPTS: '',
      },
      timeoutMs: pytestTimeoutMs(options.timeoutMs),
      signal: options.signal,
      heartbeat: options.heartbeat,
      label: 'pytest',
    });
    const junitXml = await readFile(junitPath, 'utf8').catch(() => undefined);
    const coverageJson = await readFile(coveragePath, 'utf8').catch(() => undefined);
    return {
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
      durationMs: outcome.durationMs,
      ...(junitXml ? { junit: parseJunitXml(junitXml) } : {}),
      ...(coverageJson ? { coverage: parseCoverageJson(coverageJson, options.root) } : {}),
      outputTail: `${outcome.stdout}\n${outcome.stderr}`.trim().split('\n').slice(-40).join('\n'),
    };
  } finally {
    await temp.remove();
  }
}
