import type { Command } from 'commander';

/** Placeholder until this command group is built. */
export function registerMemoryCommands(_program: Command): void {}
