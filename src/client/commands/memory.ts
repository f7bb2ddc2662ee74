/**
 * `specialist memory <op>`: add, update, get, history, delete, search, namespaces, audit — the memory
 * service from the command line. `--json` prints JSON; otherwise readable tables.
 */
import type { Command } from 'commander';
import type { MemoryType } from '../../memory';
import { CliError } from '../cli-error';
import {
  printAudit,
  printDeletion,
  printEntries,
  printEntry,
  printJson,
  printNamespaces,
} from './memory-output';
import { defaultActor, parseWholeNumber, readJsonOption, withMemoryStore } from './memory-session';

interface WriteOptions {
  value?: string;
  valueFile?: string;
  metadata?: string;
  metadataFile?: string;
  type?: string;
  by: string;
  task?: string;
  idempotencyKey?: string;
  json?: boolean;
}

const VALUE = { inline: '--value', file: '--value-file' };
const METADATA = { inline: '--metadata', file: '--metadata-file' };

function writeOptions(command: Command, typeHelp: string): Command {
  return command
    .option('--value <json>', 'the value, a JSON object')
    .option('--value-file <file>', 'read the value (a JSON object) from a file')
    .option('--type <type>', typeHelp)
    .option('--metadata <json>', 'metadata, a JSON object')
    .option('--metadata-file <file>', 'read the metadata (a JSON object) from a file')
    .option('--by <actor>', 'who writes (default cli:<login>)', defaultActor())
    .option('--task <id>', 'the task this write is for (recorded in the audit trail)')
    .option('--idempotency-key <key>', 'a repeated write with the same key returns the first one')
    .option('--json', 'print JSON');
}

function metadataOf(options: WriteOptions) {
  return readJsonOption({ value: options.metadata, valueFile: options.metadataFile }, METADATA, false);
}

export function registerMemoryCommands(program: Command): void {
  const memory = program
    .command('memory')
    .description(
      'Read and write memory entries (DATABASE_URL, else the `specialist dev` stack, else embedded PostgreSQL).',
    );

  writeOptions(
    memory.command('add').description('Add an entry at version 1 (or re-add a deleted key).'),
    'semantic | episodic | procedural (required)',
  )
    .argument('<namespace>', 'e.g. task:abc123:technical_specs')
    .argument('<key>', 'e.g. data_models')
    .action(async (namespace: string, key: string, options: WriteOptions) => {
      if (!options.type) throw new CliError('give the entry type: --type semantic | episodic | procedural');
      const value = readJsonOption(options, VALUE, true) as Record<string, unknown>;
      const metadata = metadataOf(options);
      const entry = await withMemoryStore((store) =>
        store.add({
          namespace,
          key,
          value,
          memoryType: options.type as MemoryType,
          ...(metadata ? { metadata } : {}),
          createdBy: options.by,
          ...(options.task ? { taskId: options.task } : {}),
          ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        }),
      );
      if (options.json) printJson(entry);
      else printEntry(entry);
    });

  writeOptions(
    memory.command('update').description('Write a new version of an entry (old versions are kept).'),
    'change the type (default: keep it)',
  )
    .argument('<namespace>')
    .argument('<key>')
    .action(async (namespace: string, key: string, options: WriteOptions) => {
      const value = readJsonOption(options, VALUE, true) as Record<string, unknown>;
      const metadata = metadataOf(options);
      const entry = await withMemoryStore((store) =>
        store.update({
          namespace,
          key,
          value,
          ...(options.type ? { memoryType: options.type as MemoryType } : {}),
          ...(metadata ? { metadata } : {}),
          updatedBy: options.by,
          ...(options.task ? { taskId: options.task } : {}),
          ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        }),
      );
      if (options.json) printJson(entry);
      else printEntry(entry);
    });

  memory
    .command('get')
    .description('Show the latest version of an entry, or a given one.')
    .argument('<namespace>')
    .argument('<key>')
    .option('--version <n>', 'this version (also of a deleted entry)', parseWholeNumber)
    .option('--json', 'print JSON')
    .action(async (namespace: string, key: string, options: { version?: number; json?: boolean }) => {
      const entry = await withMemoryStore((store) =>
        store.get({ namespace, key, ...(options.version !== undefined ? { version: options.version } : {}) }),
      );
      if (options.json) printJson(entry);
      else printEntry(entry);
    });

  memory
    .command('history')
    .description('List every version of an entry, oldest first.')
    .argument('<namespace>')
    .argument('<key>')
    .option('--json', 'print JSON')
    .action(async (namespace: string, key: string, options: { json?: boolean }) => {
      const entries = await withMemoryStore((store) => store.history({ namespace, key }));
      if (options.json) printJson(entries);
      else printEntries(entries);
    });

  memory
    .command('audit')
    .description('List every add, update and delete of an entry: who, when, which task.')
    .argument('<namespace>')
    .argument('<key>')
    .option('--json', 'print JSON')
    .action(async (namespace: string, key: string, options: { json?: boolean }) => {
      const records = await withMemoryStore((store) => store.audit({ namespace, key }));
      if (options.json) printJson(records);
      else printAudit(records);
    });

  memory
    .command('delete')
    .description('Soft-delete an entry: hidden from get and search, its versions kept.')
    .argument('<namespace>')
    .argument('<key>')
    .option('--by <actor>', 'who deletes (default cli:<login>)', defaultActor())
    .option('--task <id>', 'the task this delete is for')
    .option('--idempotency-key <key>', 'a repeated delete with the same key succeeds again')
    .option('--json', 'print JSON')
    .action(
      async (
        namespace: string,
        key: string,
        options: { by: string; task?: string; idempotencyKey?: string; json?: boolean },
      ) => {
        const deletion = await withMemoryStore((store) =>
          store.delete({
            namespace,
            key,
            deletedBy: options.by,
            ...(options.task ? { taskId: options.task } : {}),
            ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
          }),
        );
        if (options.json) printJson(deletion);
        else printDeletion(deletion);
      },
    );

  memory
    .command('search')
    .description('Latest versions of entries whose namespace starts with <prefix> (literally), newest first.')
    .argument('[prefix]', 'namespace prefix (default: all)')
    .option('--type <type>', 'only semantic | episodic | procedural entries')
    .option('--limit <n>', 'at most n entries (default 50, max 1000)', parseWholeNumber)
    .option('--json', 'print JSON')
    .action(
      async (prefix: string | undefined, options: { type?: string; limit?: number; json?: boolean }) => {
        const entries = await withMemoryStore((store) =>
          store.search({
            ...(prefix !== undefined ? { prefix } : {}),
            ...(options.type ? { memoryType: options.type as MemoryType } : {}),
            ...(options.limit !== undefined ? { limit: options.limit } : {}),
          }),
        );
        if (options.json) printJson(entries);
        else printEntries(entries);
      },
    );

  memory
    .command('namespaces')
    .description('List namespaces that hold entries, with their entry counts.')
    .argument('[prefix]', 'only namespaces starting with this (literally)')
    .option('--json', 'print JSON')
    .action(async (prefix: string | undefined, options: { json?: boolean }) => {
      const namespaces = await withMemoryStore((store) =>
        store.listNamespaces(prefix !== undefined ? { prefix } : {}),
      );
      if (options.json) printJson(namespaces);
      else printNamespaces(namespaces);
    });
}
