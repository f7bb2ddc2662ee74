/** Configuration and data folder for the stack commands, with problems as `CliError`s. */
import path from 'node:path';
import { CliError } from '../cli-error';
import { parseEnv, type Env } from '../../config/env';
import { asCliError } from '../../stack/ensure-stack';
import { dataDir } from '../../stack/paths';
import { dataDirProblem } from '../../stack/preflight';

export function commandEnv(): Env {
  try {
    return parseEnv(process.env);
  } catch (err) {
    throw asCliError(err);
  }
}

/** The data folder, created and checked writable. */
export function commandDataDir(env: Env): string {
  const dir = env.SPECIALIST_HOME ? path.resolve(env.SPECIALIST_HOME) : dataDir();
  const problem = dataDirProblem(dir);
  if (problem) throw new CliError(problem);
  return dir;
}

/** Parses a `--port`-style option. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new CliError(`not a TCP port: ${value}`);
  return n;
}
