/**
 * Starts a server binary under a tiny Node watchdog so that it never outlives us: the watchdog
 * forwards SIGINT/SIGTERM, and stops the server when its stdin closes — which happens when our
 * process dies in any way, even SIGKILL. (Linux has no portable "die with parent" from Node.)
 */
import { spawn, type ChildProcess } from 'node:child_process';

const WATCHDOG = `
const { spawn } = require('node:child_process');
const [cmd, ...args] = process.argv.slice(1);
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let ending = false;
const end = (signal) => {
  if (ending) return;
  ending = true;
  child.kill(signal);
  setTimeout(() => child.kill('SIGKILL'), 15000).unref();
};
child.on('error', (err) => { process.stderr.write('cannot start ' + cmd + ': ' + err.message + '\\n'); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
process.on('SIGTERM', () => end('SIGTERM'));
process.on('SIGINT', () => end('SIGTERM'));
process.stdin.on('end', () => end('SIGTERM'));
process.stdin.on('error', () => end('SIGTERM'));
process.stdin.resume();
`;

export interface SupervisedProcess {
  /** The watchdog's pid (it owns the server process). */
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code when the process has ended (for whatever reason). */
  exited: Promise<number | null>;
  /** Asks the server to stop (SIGTERM, SIGKILL after 15 s) and waits until it has. */
  stop(): Promise<void>;
}

/** Spawns `command args` under the watchdog; stdout/stderr are piped to the returned child. */
export function spawnSupervised(command: string, args: string[]): SupervisedProcess {
  const child = spawn(process.execPath, ['-e', WATCHDOG, command, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group: a terminal Ctrl-C reaches only us, and we stop things in order.
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid ?? -1,
    child,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        await exited;
      }
    },
  };
}
