/** Where a project keeps its tests and how it configures pytest and mypy. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestsAnchor } from './anchor-map';
import type { WorkspaceIndex } from './workspace-index';
import { findAll } from '../python-syntax/parse';

function read(root: string, rel: string): string | undefined {
  const file = path.join(root, rel);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The body of one INI/TOML section, up to the next section header. */
export function section(text: string, header: string): string | undefined {
  const start = text.indexOf(`[${header}]`);
  if (start < 0) return undefined;
  const rest = text.slice(start + header.length + 2);
  const next = rest.search(/^\[/m);
  return next < 0 ? rest : rest.slice(0, next);
}

export function findTests(index: WorkspaceIndex, hint?: string): TestsAnchor {
  const root = index.root;
  const folder =
    hint ??
    ['tests', 'test', `${index.sourceRoot}/tests`].find((f) => existsSync(path.join(root, f))) ??
    'tests';
  const pyproject = read(root, 'pyproject.toml');
  let pytestConfig: string | undefined;
  let pytestSection: string | undefined;
  for (const [file, header] of [
    ['pytest.ini', 'pytest'],
    ['pyproject.toml', 'tool.pytest.ini_options'],
    ['tox.ini', 'pytest'],
    ['setup.cfg', 'tool:pytest'],
  ] as const) {
    const text = file === 'pyproject.toml' ? pyproject : read(root, file);
    const body = text && section(text, header);
    if (body !== undefined) {
      pytestConfig = file;
      pytestSection = body;
      break;
    }
  }
  let mypyConfig: string | undefined;
  for (const [file, header] of [
    ['mypy.ini', 'mypy'],
    ['.mypy.ini', 'mypy'],
    ['pyproject.toml', 'tool.mypy'],
    ['setup.cfg', 'mypy'],
  ] as const) {
    const text = file === 'pyproject.toml' ? pyproject : read(root, file);
    if (text && section(text, header) !== undefined) {
      mypyConfig = file;
      break;
    }
  }
  const pythonPathLine = /^\s*pythonpath\s*=\s*(.*)$/m.exec(pytestSection ?? '')?.[1] ?? '';
  const pythonPath = [...pythonPathLine.matchAll(/["']?([\w./-]+)["']?/g)]
    .map((m) => m[1]!)
    .filter((p) => p !== '');
  const asyncioMode = /^\s*asyncio_mode\s*=\s*["']?(\w+)/m.exec(pytestSection ?? '')?.[1];
  const conftests = index.files.filter((f) => f.path.endsWith('conftest.py'));
  const fixtures: TestsAnchor['fixtures'] = [];
  for (const file of conftests) {
    for (const dec of findAll(file.tree.rootNode, 'decorated_definition')) {
      if (!dec.namedChildren.some((d) => d.type === 'decorator' && /fixture/.test(d.text))) continue;
      const def = dec.childForFieldName('definition');
      const name = def?.childForFieldName('name')?.text;
      if (name) fixtures.push({ name, file: file.path, async: /^async\b/.test(def!.text) });
    }
  }
  const conftest = conftests.find((c) => c.path === `${folder}/conftest.py`)?.path ?? conftests[0]?.path;
  return {
    folder,
    conftest,
    fixtures,
    pytestConfig,
    mypyConfig,
    pythonPath: pythonPath.length > 0 ? pythonPath : index.sourceRoot === '.' ? [] : [index.sourceRoot],
    asyncioMode,
  };
}
