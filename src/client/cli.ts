/** The `specialist` command line: every subcommand registers itself from `commands/`. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { CliError, EXIT, terminalSafe } from './cli-error';
import { registerStackCommands } from './commands/stack';
import { registerMemoryCommands } from './commands/memory';
import { registerPlanCommand } from './commands/plan';
import { registerRunCommands } from './commands/run';
import { registerFollowCommand } from './commands/follow';
import { registerCancelCommand } from './commands/cancel';

/** The tool's version, from its package.json (two levels above this file in both src/ and dist/). */
export function toolVersion(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command()
    .name('specialist')
    .description(
      'Implements backend features in Python Clean-Architecture codebases, phase by phase, on Temporal.',
    )
    .version(toolVersion(), '-V, --version', 'print the version of specialist')
    // `--version` is the program's only before a command: `memory get ... --version 2` is memory's own option.
    .enablePositionalOptions()
    // A mistyped command or option gets "(Did you mean run?)" (commander's default, said here so it stays on).
    .showSuggestionAfterError(true)
    .showHelpAfterError()
    .exitOverride();
  registerStackCommands(program);
  registerMemoryCommands(program);
  registerPlanCommand(program);
  registerRunCommands(program);
  registerFollowCommand(program);
  registerCancelCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
      return;
    }
    if (err instanceof CliError) {
      console.error(`specialist: ${terminalSafe(err.message)}`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}
