/** The worker entry: `runWorker` for `specialist worker`, `startWorker` for an in-process worker. */
export { installRuntime, runWorker, startWorker, type RunningWorker, type WorkerOptions } from './worker';
