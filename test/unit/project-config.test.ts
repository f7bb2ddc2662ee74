/**
 * pytest's settings are read by one parser, the project's own Python (tomllib + configparser): the
 * import path and asyncio_mode come out the same whichever file holds them, in the forms those files
 * allow (TOML lists, INI space- or line-separated values) that a regex would misread.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolvePython } from '../../src/python/interpreter';
import { importPath, readImportPath, readProjectConfig } from '../../src/python/project-config';

const python = resolvePython(os.tmpdir());

describe('readProjectConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, text: string) => writeFileSync(path.join(dir, file), text);

  test('a TOML list spread over lines, with a comment, in pyproject.toml', async () => {
    write(
      'pyproject.toml',
      [
        '[tool.pytest.ini_options]',
        'pythonpath = [',
        '  "src",  # the package',
        '  "lib",',
        ']',
        'asyncio_mode = "auto"',
        '[tool.mypy]',
        'files = ["src"]',
      ].join('\n'),
    );
    const config = await readProjectConfig(python, dir);
    expect(config.pytest).toMatchObject({
      configFile: 'pyproject.toml',
      pythonpath: ['src', 'lib'],
      asyncioMode: 'auto',
    });
    expect(config.mypy).toEqual({ configured: true, configFile: 'pyproject.toml', files: ['src'] });
    expect(await readImportPath(python, dir, 'src')).toEqual(['src', 'lib']);
  });

  test('pytest.ini wins over pyproject.toml, as pytest decides', async () => {
    write('pyproject.toml', '[tool.pytest.ini_options]\npythonpath = ["other"]\n');
    write('pytest.ini', '[pytest]\npythonpath = src tests/helpers\nasyncio_mode = strict\n');
    const config = await readProjectConfig(python, dir);
    expect(config.pytest).toMatchObject({
      configFile: 'pytest.ini',
      pythonpath: ['src', 'tests/helpers'],
      asyncioMode: 'strict',
    });
  });

  test('setup.cfg [tool:pytest], values on continuation lines', async () => {
    write('setup.cfg', '[tool:pytest]\npythonpath =\n    src\n    vendor\n[mypy]\nfiles = src\n');
    const config = await readProjectConfig(python, dir);
    expect(config.pytest).toMatchObject({ configFile: 'setup.cfg', pythonpath: ['src', 'vendor'] });
    expect(config.mypy).toMatchObject({ configured: true, configFile: 'setup.cfg' });
  });

  test('no configuration: the source root alone is imported from', async () => {
    const config = await readProjectConfig(python, dir);
    expect(config.pytest.configFile).toBeUndefined();
    expect(config.mypy.configured).toBe(false);
    expect(importPath('', config)).toEqual(['.']);
    expect(importPath('src', config)).toEqual(['src']);
  });

  test('the source root is not listed twice', () => {
    const config = {
      pytest: { testpaths: [], pythonpath: ['src', 'lib'], markers: [] },
      coverage: { source: [] },
      mypy: { configured: false, files: [] },
    };
    expect(importPath('src', config)).toEqual(['src', 'lib']);
  });
});
