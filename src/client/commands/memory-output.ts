/** How `specialist memory` prints results: JSON with `--json`, readable tables otherwise. */
import Table from 'cli-table3';
import type { MemoryAuditRecord, MemoryDeletion, MemoryEntry, NamespaceSummary } from '../../memory';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One entry: its fields, then its value as indented JSON. */
export function printEntry(entry: MemoryEntry & { replayed?: boolean }): void {
  const table = new Table();
  table.push(
    { namespace: entry.namespace },
    { key: entry.key },
    { version: String(entry.version) + (entry.replayed ? ' (already written by this idempotency key)' : '') },
    { type: entry.memoryType },
    { created: `${entry.createdAt} by ${entry.createdBy}` },
    { updated: `${entry.updatedAt} by ${entry.updatedBy}` },
  );
  if (entry.taskId) table.push({ task: entry.taskId });
  if (entry.deletedAt) table.push({ deleted: entry.deletedAt });
  if (Object.keys(entry.metadata).length > 0) table.push({ metadata: JSON.stringify(entry.metadata) });
  process.stdout.write(`${table.toString()}\n${JSON.stringify(entry.value, null, 2)}\n`);
}

/** Several entries (search, history): one row each, the value shortened. */
export function printEntries(entries: MemoryEntry[]): void {
  if (entries.length === 0) {
    process.stdout.write('no entries\n');
    return;
  }
  const table = new Table({ head: ['namespace', 'key', 'version', 'type', 'updated', 'by', 'value'] });
  for (const e of entries)
    table.push([
      e.namespace,
      e.key,
      e.version,
      e.memoryType,
      e.updatedAt,
      e.updatedBy,
      shorten(JSON.stringify(e.value)),
    ]);
  process.stdout.write(`${table.toString()}\n`);
}

export function printNamespaces(namespaces: NamespaceSummary[]): void {
  if (namespaces.length === 0) {
    process.stdout.write('no namespaces\n');
    return;
  }
  const table = new Table({ head: ['namespace', 'entries', 'last update'] });
  for (const n of namespaces) table.push([n.namespace, n.entries, n.updatedAt]);
  process.stdout.write(`${table.toString()}\n`);
}

export function printAudit(records: MemoryAuditRecord[]): void {
  const table = new Table({ head: ['at', 'action', 'version', 'actor', 'task', 'idempotency key'] });
  for (const r of records)
    table.push([r.at, r.action, r.version, r.actor, r.taskId ?? '', r.idempotencyKey ?? '']);
  process.stdout.write(`${table.toString()}\n`);
}

export function printDeletion(deletion: MemoryDeletion): void {
  process.stdout.write(
    `deleted ${deletion.namespace}/${deletion.key} (last version ${deletion.version}, kept) at ${deletion.deletedAt} by ${deletion.deletedBy}\n`,
  );
}

function shorten(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
