/** Following a run is not the run: losing Temporal ends the following with the command to resume it. */
import type { WorkflowHandle } from '@temporalio/client';
import { CliError, EXIT } from '../../src/client/cli-error';
import { watchRun } from '../../src/client/commands/run-session';

describe('watchRun', () => {
  it('losing the connection to Temporal: exit 3 naming `specialist follow <id>`, not a failed run', async () => {
    const listeners = process.listenerCount('SIGINT');
    const handle = {
      workflowId: 'feature-x-12345678',
      describe: () => Promise.reject(new Error('tcp connect error 127.0.0.1:7233\nConnection refused')),
      query: () => Promise.reject(new Error('unreachable')),
    } as unknown as WorkflowHandle;
    const err = await watchRun(handle, { quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.waiting);
    expect((err as CliError).message).toBe(
      'lost the connection to Temporal while following feature-x-12345678 (tcp connect error 127.0.0.1:7233); the run itself is kept by the server: `specialist follow feature-x-12345678` follows it to its end (starting the stack and a worker when none is running)',
    );
    // The Ctrl-C handler is gone once the following ended.
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
