/** The command line itself: its version, and what a mistyped command or option gets. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/client/cli';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    out += String(chunk);
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    err += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await main(['node', 'specialist', ...args]);
    return { code: Number(process.exitCode ?? 0), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = undefined;
  }
}

describe('specialist', () => {
  const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };

  it.each(['--version', '-V'])('%s prints the version from package.json, exit 0', async (flag) => {
    expect(await cli(flag)).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('a mistyped command: exit 2 with the command it was probably meant to be', async () => {
    const { code, err } = await cli('rn');
    expect(code).toBe(2);
    expect(err).toMatch(/unknown command 'rn'\n\(Did you mean run\?\)/);
  });

  it('a mistyped option: exit 2 with the option it was probably meant to be', async () => {
    const { code, err } = await cli('run', 'spec.json', '--worksapce', 'x');
    expect(code).toBe(2);
    expect(err).toMatch(/unknown option '--worksapce'\n\(Did you mean --workspace\?\)/);
  });
});
