/**
 * Where a project keeps its tests and the fixtures its conftests define. How it configures pytest and
 * mypy (pythonpath, asyncio_mode, which file) is read with the project's own Python by
 * src/python/project-config.ts, the one TOML/INI parser, when a phase needs it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TestsAnchor } from './anchor-map';
import type { WorkspaceIndex } from './workspace-index';
import { findAll } from '../python-syntax/parse';

export function findTests(index: WorkspaceIndex, hint?: string): TestsAnchor {
  const root = index.root;
  const folder =
    hint ??
    ['tests', 'test', `${index.sourceRoot}/tests`].find((f) => existsSync(path.join(root, f))) ??
    'tests';
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
  };
}
