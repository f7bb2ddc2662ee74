/** The stack commands: `dev` (local stack in the foreground), `worker`, `doctor`. */
import type { Command } from 'commander';
import { devCommand } from './stack-dev';
import { doctorCommand } from './stack-doctor';
import { parsePort } from './stack-shared';
import { workerCommand } from './stack-worker';

export function registerStackCommands(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the local stack in the foreground: Temporal dev server (Web UI on :8233), embedded PostgreSQL, one worker. Ctrl-C stops it all.',
    )
    .option('--port <port>', 'Temporal frontend port (default SPECIALIST_TEMPORAL_PORT or 7233)', parsePort)
    .option('--ui-port <port>', 'Temporal Web UI port (default SPECIALIST_UI_PORT or 8233)', parsePort)
    .option('--pg-port <port>', 'PostgreSQL port (default SPECIALIST_PG_PORT or 54329)', parsePort)
    .option('--no-worker', 'do not run a worker in this process')
    .action((options: { port?: number; uiPort?: number; pgPort?: number; worker: boolean }) =>
      devCommand(options),
    );
  program
    .command('worker')
    .description(
      'Run one worker against TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / DATABASE_URL (default: the local stack). It polls the task queue and its own queue (<task queue>/worker-<id>, the id kept in the data folder): the steps of the runs whose worktree it prepared come there, so start several on other hosts or data folders freely, and restart one on the same data folder to go on with its runs.',
    )
    .action(() => workerCommand());
  program
    .command('doctor')
    .description(
      'Check the Temporal CLI, Python, PostgreSQL, ports and the data folder; say what is missing (exit 2).',
    )
    .option('--live', 'also run a health-check workflow through a worker')
    .action((options: { live?: boolean }) => doctorCommand({ live: !!options.live }));
}
