/**
 * The worker's own task queue (docs/durable-run.md, Several workers): a run's worktree lives on the
 * disk of the worker that prepared it, so every step that touches the worktree is sent to that worker's
 * own queue. The queue is named after a random id kept in the data folder: a worker restarted on the
 * same data folder (after a crash, a SIGKILL, a reboot) polls the same queue and picks its runs up
 * again; two workers on one data folder share it (they share the disk too).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ID_FILE = 'worker-id';

/** The data folder's worker id, made once (atomically: several workers may start at the same time). */
export function workerId(dataDir: string): string {
  const file = path.join(dataDir, ID_FILE);
  const read = () => readFileSync(file, 'utf8').trim();
  try {
    const id = read();
    if (/^[0-9a-f]{16}$/.test(id)) return id;
    throw new Error(
      `${file} holds "${id.slice(0, 40)}", not a worker id (16 hex digits): remove it and start the worker again`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  // Written whole under another name, then linked: a concurrent reader never sees a half-written id.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(8).toString('hex')}\n`);
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(draft, { force: true });
  }
  return read();
}

/** `<taskQueue>/worker-<id>`: the queue only this data folder's workers poll. */
export function ownTaskQueue(taskQueue: string, dataDir: string): string {
  return `${taskQueue}/worker-${workerId(dataDir)}`;
}
