/**
 * Registers the project's search attributes on a Temporal cluster that does not have them yet (the
 * dev server gets them from its command line; docker-compose's or a user's cluster gets them here,
 * when `specialist worker` starts). Idempotent: only missing ones are added.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from './search-attributes';

const TYPES = { Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } as const;

/** Adds the missing attributes; returns their names. Throws when the cluster refuses (e.g. no operator rights). */
export async function registerSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !known.has(name));
    if (missing.length === 0) return [];
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, TYPES[type]])),
    });
    return missing.map(([name]) => name);
  } finally {
    await connection.close();
  }
}
