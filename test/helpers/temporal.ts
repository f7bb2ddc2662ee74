/**
 * A real Temporal dev server for one test file, from the Temporal CLI binary (the SDK's own download
 * cannot reach its site here): `TEMPORAL_CLI`, else the pinned copy under .specialist/tools.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import { SEARCH_ATTRIBUTES } from '../../src/stack/search-attributes';

export function temporalCliPath(): string {
  const candidates = [
    process.env.TEMPORAL_CLI,
    path.join(PROJECT_ROOT, '.specialist/tools/temporal-cli-1.9.1/bin/temporal'),
  ];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found)
    throw new Error('Temporal CLI not found: run .ci/run (or `npx specialist doctor`) to install it');
  return found;
}

/** The project's search attributes (src/stack/search-attributes.ts) as the dev server's flag spells their type. */
export const PROJECT_SEARCH_ATTRIBUTES = Object.fromEntries(
  Object.keys(SEARCH_ATTRIBUTES).map((name) => [name, 'KEYWORD' as const]),
);

export function startTestTemporal(
  searchAttributes: Record<
    string,
    'KEYWORD' | 'TEXT' | 'INT' | 'DOUBLE' | 'BOOL' | 'DATETIME' | 'KEYWORD_LIST'
  > = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      extraArgs: Object.entries(searchAttributes).flatMap(([name, type]) => [
        '--search-attribute',
        `${name}=${type}`,
      ]),
    },
  });
}
