import type { Command } from 'commander';

/** Placeholder until this command group is built. */
export function registerStackCommands(_program: Command): void {}
