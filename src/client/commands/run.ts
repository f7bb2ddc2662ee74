import type { Command } from 'commander';

/** Placeholder until this command group is built. */
export function registerRunCommands(_program: Command): void {}
