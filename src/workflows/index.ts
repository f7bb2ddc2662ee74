/**
 * Every workflow the worker serves; this file is the worker's `workflowsPath`. The export names are the
 * registered workflow types — API: renaming one breaks running executions. Functions carry the
 * `Workflow` suffix and are exported under the type names the worker registers (docs/durable-run.md).
 */
export { implementFeatureWorkflow as implementFeature } from './implement-feature-workflow';
export {
  pythonPydanticModelSpecialistWorkflow as pythonPydanticModelSpecialist,
  sqliteMigrationSpecialistWorkflow as sqliteMigrationSpecialist,
} from './sub-agent-workflows';
export { healthCheckWorkflow } from './health-check-workflow';
