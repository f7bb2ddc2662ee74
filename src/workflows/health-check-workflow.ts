/** A one-activity workflow that proves the whole chain: client → Temporal → worker → PostgreSQL. */
import { proxyActivities } from '@temporalio/workflow';
import type { createHealthActivities, HealthReport } from '../activities/health-activities';

const { checkHealth } = proxyActivities<ReturnType<typeof createHealthActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

export interface HealthCheckResult extends HealthReport {
  /** Echoed back so a caller can match the answer to its request. */
  echo?: string;
}

export async function healthCheckWorkflow(input: { echo?: string } = {}): Promise<HealthCheckResult> {
  const report = await checkHealth();
  return { ...report, echo: input.echo };
}
