import type { Command } from 'commander';

/** Placeholder until this command group is built. */
export function registerPlanCommand(_program: Command): void {}
