/** A tiny workflow that uses the memory activities, for memory-activities.test.ts. */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { MemoryActivities } from '../../src/activities/memory-activities';

const memory = proxyActivities<MemoryActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '50 milliseconds', maximumAttempts: 3 },
});

export async function memoryRoundTripWorkflow(namespace: string) {
  const entry = {
    namespace,
    key: 'changes_summary',
    value: { feature: 'Summary field', files_modified: ['models.py'], backward_compatible: true },
    memoryType: 'episodic' as const,
    createdBy: 'python-backend-specialist',
    taskId: 'task-42',
  };
  const added = await memory.memoryAdd(entry);
  const updated = await memory.memoryUpdate({
    namespace,
    key: entry.key,
    value: { ...entry.value, test_coverage: 95.2 },
    updatedBy: 'python-backend-specialist',
  });
  const latest = await memory.memoryGet({ namespace, key: entry.key });
  const found = await memory.memorySearch({ prefix: namespace });
  let conflictType: string | undefined;
  try {
    await memory.memoryAdd(entry);
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)
      conflictType = err.cause.type ?? undefined;
    else throw err;
  }
  return { added, updated, latest, found: found.map((e) => e.key), conflictType };
}
