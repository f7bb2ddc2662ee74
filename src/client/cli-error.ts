/** Exit codes of the `specialist` CLI. */
export const EXIT = {
  ok: 0,
  /** A run failed or was aborted. */
  runFailed: 1,
  /** Bad input: a spec, a flag, the environment (port taken, CLI missing, folder not writable). */
  badInput: 2,
  /** The run stopped to wait for a person (retry / skip / abort). */
  waiting: 3,
} as const;

/** An error the CLI prints as one clear line (no stack trace) before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * `text` with control characters other than line breaks and tabs shown as `\xNN`: a message that
 * quotes user input (a spec value, a file's bytes) must not drive the terminal.
 */
export function terminalSafe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
