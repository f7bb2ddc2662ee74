/**
 * Generates the tests of a feature: one file per category — `tests/test_<feature>_unit.py`,
 * `_integration.py`, `_migration.py` — so results split per category by file. Pure: the same spec,
 * anchors and project facts give byte-identical files (no timestamps; order from the spec, then
 * sorted).
 */
import type { AnchorMap } from '../analysis/anchor-map';
import type { ProjectFacts } from '../python/introspect';
import type { FeatureSpec } from '../spec/feature-spec';
import { fieldCases } from './field-cases';
import { emitFastMcpToolTests } from './fastmcp-tests';
import { emitIntegrationTests } from './integration-tests';
import { emitMigrationTests } from './migration-tests';
import { buildWiring, type Wiring } from './project-wiring';
import { ImportSet } from './python-text';
import { TestFile } from './test-file';
import { emitUnitTests } from './unit-tests';

export const TEST_CATEGORIES = ['unit', 'integration', 'migration'] as const;
export type TestCategory = (typeof TEST_CATEGORIES)[number];

export interface GeneratedFile {
  /** Relative to the workspace root, forward slashes. */
  path: string;
  category: TestCategory;
  content: string;
}

export interface GenerateTestsInput {
  spec: FeatureSpec;
  anchors: AnchorMap;
  /** Project facts for each change, aligned with `anchors.changes`. */
  facts: ProjectFacts[];
  conftestText?: string;
  /** pytest-asyncio mode from the project's configuration (`auto`, `strict`, undefined). */
  asyncioMode?: string;
}

/** `tests/test_task_summary_unit.py` for feature `task-summary`. */
export function testFilePath(anchors: AnchorMap, feature: string, category: TestCategory): string {
  const folder = anchors.tests.folder.replace(/\/+$/, '') || '.';
  const name = `test_${feature.replace(/[^a-z0-9]+/g, '_')}_${category}.py`;
  return folder === '.' ? name : `${folder}/${name}`;
}

/** Fixture names the conftest defines, so generated fixtures do not shadow them. */
function conftestNames(anchors: AnchorMap, text: string | undefined): Set<string> {
  const names = new Set(anchors.tests.fixtures.map((f) => f.name));
  for (const m of (text ?? '').matchAll(/^(?:async\s+)?def\s+(\w+)\s*\(/gm)) names.add(m[1]!);
  return names;
}

export function generateTests(input: GenerateTestsInput): GeneratedFile[] {
  return generateTestSuite(input).files;
}

/**
 * The generated files and notes on what was not generated and why (a database that cannot be opened
 * on a temporary file gets no database test; a conftest fixture that would open the user's data is
 * not reused).
 */
export function generateTestSuite(input: GenerateTestsInput): { files: GeneratedFile[]; notes: string[] } {
  const notes: string[] = [];
  const { spec, anchors } = input;
  const title = spec.title
    ? `${spec.feature} (${spec.title.replace(/\s+/g, ' ').replace(/[\\"']/g, '')})`
    : spec.feature;
  const existing = conftestNames(anchors, input.conftestText);
  const files = new Map<TestCategory, TestFile>();
  const fileFor = (category: TestCategory, wiring: Wiring, imports: ImportSet): TestFile => {
    let file = files.get(category);
    if (!file) {
      const what = { unit: 'Unit', integration: 'Integration', migration: 'Migration' }[category];
      file = new TestFile(wiring, `${what} tests of feature ${title}.`, existing, imports);
      files.set(category, file);
    }
    file.wiring = wiring;
    return file;
  };
  anchors.changes.forEach((change, index) => {
    const facts = input.facts[index];
    if (!facts) throw new Error(`no project facts for change ${index} (${change.model}.${change.field})`);
    const specChange = spec.data_models.changes[change.index] ?? spec.data_models.changes[index]!;
    for (const category of TEST_CATEGORIES) {
      // The wiring records the imports its expressions need in the file's own import set.
      const imports = files.get(category)?.imports ?? new ImportSet();
      const wiring = buildWiring({
        anchors,
        change,
        facts,
        conftestText: input.conftestText,
        asyncioMode: input.asyncioMode,
        imports,
        architecture: spec.architecture,
      });
      if (category === 'unit') {
        const label = `${change.model}.${change.field}`;
        if (wiring.noDatabase)
          notes.push(
            `${label}: no integration or migration test generated: ${wiring.noDatabase} (they would open the project's own database)`,
          );
        for (const [name, why] of Object.entries(wiring.unsafeFixtures).sort())
          notes.push(`${label}: conftest fixture ${name} not reused: ${why}`);
      }
      if (wiring.noDatabase && category !== 'unit') continue;
      const file = fileFor(category, wiring, imports);
      const cases = fieldCases(specChange, change.type, change.enums, wiring.quote, file.imports);
      if (category === 'unit') emitUnitTests(file, { field: change.field, type: change.type, cases });
      else if (category === 'integration') {
        emitIntegrationTests(file, { change, cases });
        if (change.tool?.fastmcp) emitFastMcpToolTests(file, { change, spec: specChange, cases });
      } else emitMigrationTests(file, { change, cases });
    }
  });
  const generated = TEST_CATEGORIES.filter((c) => files.has(c)).map((category) => ({
    path: testFilePath(anchors, spec.feature, category),
    category,
    content: files.get(category)!.render(),
  }));
  for (const file of files.values()) notes.push(...file.notes);
  return { files: generated, notes: [...new Set(notes)] };
}
