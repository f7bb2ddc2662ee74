/**
 * Checks made before starting anything, each turned into one clear sentence saying what to do:
 * a writable data folder, and (as root) a data folder the `postgres` user can reach.
 */
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Why `dir` cannot be used as the data folder, or undefined when it can (it is created if missing). */
export function dataDirProblem(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return `the data folder ${dir} is not writable (${code}): set SPECIALIST_HOME to a folder you can write, or fix its permissions`;
  }
}

/**
 * As root, embedded PostgreSQL's initdb runs as the `postgres` user, which must traverse every
 * folder above its data folder: a checkout under /root (mode 700) fails deep inside initdb with an
 * obscure message. Returns the blocking folder, or undefined when there is none (or we are not root).
 */
export function postgresUserBlockedBy(dataFolder: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let dir = path.dirname(path.resolve(dataFolder));
  const ancestors: string[] = [];
  for (;;) {
    ancestors.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const folder of ancestors) {
    let mode: number;
    try {
      mode = statSync(folder).mode;
    } catch {
      return undefined; // Not created yet: we create it with default (traversable) permissions.
    }
    // `postgres` is neither the owner nor in the group of a root-made folder: it needs o+x.
    if ((mode & 0o001) === 0) return folder;
  }
  return undefined;
}

export function postgresUserProblem(dataFolder: string): string | undefined {
  const blocked = postgresUserBlockedBy(dataFolder);
  if (!blocked) return undefined;
  return (
    `running as root, embedded PostgreSQL runs as user postgres, which cannot enter ${blocked} (above ${dataFolder}): ` +
    `set SPECIALIST_HOME to a folder outside it (e.g. /var/tmp/specialist), or \`chmod o+x ${blocked}\`, or use your own PostgreSQL with DATABASE_URL`
  );
}

/** True when the current user may write into `dir` (without creating anything). */
export function canWrite(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
