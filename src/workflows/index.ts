/** Every workflow the worker serves; this file is the worker's `workflowsPath`. */
export {};
