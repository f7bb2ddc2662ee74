/**
 * Hostile specs are refused before anything runs: paths outside the workspace, invalid Unicode,
 * non-text spec files, and a database that cannot be reached.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, terminalSafe } from '../../src/client/cli-error';
import { readSpecFile } from '../../src/client/spec-file';
import { SpecialistError } from '../../src/errors';
import { encodeJsonObject } from '../../src/memory/memory-schemas';
import { parseFeatureSpec, SpecError } from '../../src/spec/feature-spec';
import { invalidUnicodeProblems } from '../../src/spec/unicode-text';
import { architecturePathProblems, outsideWorkspaceProblem } from '../../src/spec/workspace-paths';
import { requireReachableDatabase } from '../../src/stack/database-reachable';
import { freePort } from '../helpers/free-port';

const base = {
  feature: 'task-summary',
  data_models: { changes: [{ model: 'Task', field: 'summary', type: 'str', nullable: true }] },
};

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'hostile-spec-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('architecture paths', () => {
  test('inside the workspace: relative, nested, absolute below it, not yet existing', () => {
    const ws = path.join(scratch, 'ws');
    mkdirSync(path.join(ws, 'src'), { recursive: true });
    expect(
      architecturePathProblems(ws, {
        domain_models: 'src/app/models.py',
        tests: 'tests',
        database: './src/../src/db.py',
        api: path.join(ws, 'src', 'api.py'),
        python: '/usr/bin/python3', // the interpreter may live anywhere
        package: 'app',
      }),
    ).toEqual([]);
  });

  test('`..`, an absolute path elsewhere and a symbolic link out are refused, naming the key', () => {
    const ws = path.join(scratch, 'ws');
    mkdirSync(ws);
    mkdirSync(path.join(scratch, 'elsewhere'));
    symlinkSync(path.join(scratch, 'elsewhere'), path.join(ws, 'link'));
    expect(
      architecturePathProblems(ws, {
        tests: '../x',
        service: '/etc/passwd',
        api: 'link/tool.py',
        domain_models: 'src/../../ws2/models.py',
        extra_hint: '../../somewhere',
      }),
    ).toEqual([
      'architecture.tests: "../x" is outside the workspace',
      'architecture.service: "/etc/passwd" is outside the workspace',
      'architecture.api: "link/tool.py" is outside the workspace (through a symbolic link)',
      'architecture.domain_models: "src/../../ws2/models.py" is outside the workspace',
      'architecture.extra_hint: "../../somewhere" is outside the workspace',
    ]);
  });

  test('a workspace reached through a symbolic link is still itself', () => {
    const ws = path.join(scratch, 'real');
    mkdirSync(path.join(ws, 'tests'), { recursive: true });
    symlinkSync(ws, path.join(scratch, 'alias'));
    expect(outsideWorkspaceProblem(path.join(scratch, 'alias'), 'tests/test_x.py')).toBeUndefined();
  });
});

describe('invalid Unicode', () => {
  test('an unpaired surrogate anywhere in the spec is refused with its JSON path', () => {
    const spec = {
      ...base,
      title: 'fine 🎉',
      data_models: {
        changes: [{ ...base.data_models.changes[0], description: 'bad \ud800 text' }],
      },
      architecture: { tests: 'tests\udc00' },
    };
    let problems: string[] = [];
    try {
      parseFeatureSpec(spec, 'spec.json');
    } catch (err) {
      if (err instanceof SpecError) problems = err.problems;
    }
    expect(problems).toEqual([
      'data_models.changes[0].description: invalid Unicode: an unpaired UTF-16 surrogate (\\ud800-\\udfff escape)',
      'architecture.tests: invalid Unicode: an unpaired UTF-16 surrogate (\\ud800-\\udfff escape)',
    ]);
  });

  test('pairs (emoji) are fine, keys are checked too', () => {
    expect(invalidUnicodeProblems({ a: ['🎉', '𝔘'] })).toEqual([]);
    expect(invalidUnicodeProblems({ ['k\ud83d']: 1 })[0]?.path).toEqual(['k\ud83d']);
  });

  test('memory refuses to store one, naming where it is, before any SQL', () => {
    let error: unknown;
    try {
      encodeJsonObject({ changes: [{ description: 'x\ud800' }] }, 'value', 'memory add t/k', 1 << 20);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SpecialistError);
    expect((error as Error).message).toContain(
      'memory add t/k: value.changes[0].description: invalid Unicode',
    );
  });
});

describe('spec files', () => {
  const write = (name: string, content: Buffer | string) => {
    const file = path.join(scratch, name);
    writeFileSync(file, content);
    return file;
  };
  const refusal = (file: string): CliError => {
    try {
      readSpecFile(file);
    } catch (err) {
      return err as CliError;
    }
    throw new Error('accepted');
  };

  test('a file with NUL bytes is refused without echoing it', () => {
    const file = write(
      'binary.json',
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0x1b, 0x5b, 0x32, 0x4a]),
    );
    const error = refusal(file);
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`${file} is not a text JSON file (10 bytes, a NUL byte at offset 5)`);
  });

  test('invalid UTF-8 is refused without echoing it', () => {
    const file = write('latin1.json', Buffer.from('{"feature": "caf\xe9"}', 'latin1'));
    expect(refusal(file).message).toBe(
      `${file} is not a text JSON file (19 bytes, bytes that are not UTF-8)`,
    );
  });

  test('control characters of a JSON error are not sent to the terminal', () => {
    const file = write('escape.json', '\u001b[2J{oops');
    const message = refusal(file).message;
    expect(message).toContain('is not valid JSON');
    expect(message).not.toContain('\u001b');
  });

  test('CLI messages show control characters as \\xNN, keeping line breaks', () => {
    expect(terminalSafe('field "\u001b[2J\u0007" bad\n  - next\tone')).toBe(
      'field "\\x1b[2J\\x07" bad\n  - next\tone',
    );
  });

  test('a UTF-8 file with a byte order mark is read', () => {
    const file = write('bom.json', `\ufeff${JSON.stringify(base)}`);
    expect(readSpecFile(file).feature).toBe('task-summary');
  });
});

describe('an unreachable database', () => {
  test('is one line naming it (password hidden) and saying how to start it', async () => {
    const port = await freePort();
    const url = `postgres://specialist:secret@127.0.0.1:${port}/specialist`;
    let error: unknown;
    try {
      await requireReachableDatabase(url, 2000);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CliError);
    const message = (error as CliError).message;
    expect((error as CliError).exitCode).toBe(2);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('secret');
    expect(message).toContain(
      `PostgreSQL at 127.0.0.1:${port} (postgres://specialist:***@127.0.0.1:${port}/specialist)`,
    );
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain('`specialist dev`');
    expect(message).toContain('DATABASE_URL');
  });
});
