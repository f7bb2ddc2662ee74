/**
 * Phase 2: hydrate the new field wherever rows become the model — `_row_to_<model>` helpers and
 * mappers written inline in query methods (row-mappers.ts) — and select the column where the query
 * feeding the mapper names its columns.
 */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { lineIndentAt, parsePython } from '../python-syntax/parse';
import { appendKeywordArgument, keywordArguments } from '../python-syntax/sequence';
import { finish, skipped, unchanged, type Codemod, type Edit, type RefusedSite } from './codemod';
import { fieldOptionsSchema, fromDatabase, pyString, typeImports, typeOf } from './field';
import { importEdits, type ImportNeed } from './imports';
import { modelContextSchema, mirror } from './model-context';
import { enumNames } from '../spec/field-type';
import { callAccess, mapperFunctions, type MapperFunction } from './row-mappers';
import { addSelectColumn, feedingSelects, type SelectSite } from './select-columns';

export { buildsModel, constructorCalls } from './row-mappers';

const options = fieldOptionsSchema.merge(modelContextSchema).extend({
  /** Mapper function names (`name` or `Class.name`); default: every mapper of the model in the file. */
  functions: z.array(z.string()).optional(),
  enumModules: z.record(z.string(), z.string()).default({}),
  /** The table the rows come from: SELECTs over it that name their columns get the new one. */
  table: z.string().optional(),
  /** The table's columns before the change, in order: where `SELECT *` is read by position. */
  tableColumns: z.array(z.string()).optional(),
  /** Functions (`Class.method` or `function`) a person edits by hand: their refused places are skipped. */
  byHand: z.array(z.string()).default([]),
});
type Options = z.infer<typeof options>;

const GET = /^(.+?)\.get\((["'])(\w+)\2\)$/;
const SUBSCRIPT = /^([\w.]+)\[(["'])(\w+)\2\]$/;

/** How a mapper reads a column, from its simplest keyword arguments: `row_dict.get("x")` or `row["x"]`. */
export function columnReader(values: string[], field: string): string | undefined {
  const inner = values.flatMap((v) => [v, ...(/\((.*)\)/.exec(v)?.slice(1) ?? [])]);
  const get = inner.map((v) => GET.exec(v)).find(Boolean);
  if (get) return `${get[1]}.get(${pyString(field, get[2] as '"')})`;
  const sub = inner.map((v) => SUBSCRIPT.exec(v)).find(Boolean);
  if (sub) return `${sub[1]}[${pyString(field, sub[2] as '"')}]`;
  return undefined;
}

/** A site this codemod refuses, thrown inside the handling of one mapper. */
class SiteRefusal extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** The value read by name: the sibling of the same type copied, else a reader converted. */
function byName(
  p: Options,
  siblings: { field: string; text: string }[],
  where: string,
  line: number,
): string {
  const mirrored = mirror(p, siblings, false);
  if (mirrored) return mirrored;
  const reader = columnReader(
    siblings.map((s) => s.text),
    p.field,
  );
  if (!reader)
    throw new SiteRefusal(
      `${where}: cannot tell how it reads columns (no row["x"] or .get("x") argument)`,
      line,
    );
  const value = fromDatabase(p, reader);
  // A converted value reads by subscript: `.get()` is Optional to mypy, and after the migration the
  // column always exists.
  return value !== reader ? fromDatabase(p, reader.replace(/\.get\((["'])(\w+)\1\)$/, '[$1$2$1]')) : value;
}

const POSITION = /\b(\w+)\[\s*(\d+)\s*\]/g;

/**
 * The value read by position `at`: a sibling of the same type copied with its index moved (through
 * the by-name mirror: `row[2]` reads as `row["done"]` for the comparison), else the row read converted.
 */
function byPosition(p: Options, siblings: { field: string; text: string }[], at: number): string {
  const named = siblings.map((s) => ({
    field: s.field,
    text: s.text.replace(POSITION, (_m, row: string) => `${row}["${s.field}"]`),
  }));
  const mirrored = mirror(p, named, false);
  const row =
    [
      ...siblings
        .map((s) => s.text)
        .join(' ')
        .matchAll(POSITION),
    ][0]?.[1] ?? 'row';
  if (mirrored) return mirrored.replace(new RegExp(`\\b(\\w+)\\["${p.field}"\\]`, 'g'), `$1[${at}]`);
  return fromDatabase(p, `${row}[${at}]`);
}

/** Where the new column sits in the rows the SELECTs give (by position), or why that is unknown. */
function newColumnIndex(p: Options, selects: SelectSite[], where: string, line: number): number {
  if (!p.table)
    throw new SiteRefusal(`${where}: reads columns by position, and the table it reads is not known`, line);
  if (selects.length === 0)
    throw new SiteRefusal(
      `${where}: reads columns by position, but no SELECT over ${p.table} is in it or in the functions calling it`,
      line,
    );
  const at = new Set(
    selects.map(({ select }) => {
      if (select.star) {
        if (select.items.length !== 1 || !p.tableColumns)
          throw new SiteRefusal(
            `${where}: reads columns by position from a SELECT * whose column order is not known here`,
            line,
          );
        // ALTER TABLE ADD COLUMN (and the CREATE TABLE edit) put the new column last.
        const i = p.tableColumns.findIndex((c) => c.toLowerCase() === p.field.toLowerCase());
        return i >= 0 ? i : p.tableColumns.length;
      }
      const i = select.names.findIndex((n) => n?.toLowerCase() === p.field.toLowerCase());
      return i >= 0 ? i : select.items.length;
    }),
  );
  if (at.size !== 1)
    throw new SiteRefusal(
      `${where}: reads columns by position from SELECTs that list different numbers of columns`,
      line,
    );
  return [...at][0]!;
}

/** Handles one mapper: its edits and change lines, or a SiteRefusal. */
function mapOne(
  source: string,
  root: SyntaxNode,
  p: Options,
  mapper: MapperFunction,
  selectEdits: Map<number, Edit[]>,
): { edits: Edit[]; changes: string[]; notes: string[] } {
  const edits: Edit[] = [];
  const changes: string[] = [];
  const notes: string[] = [];
  const kind = typeOf(p).kind;
  const json = kind === 'list' || kind === 'dict';
  const selects = p.table
    ? feedingSelects(root, mapper.fn, mapper.name, p.table).filter(
        (s) => s.select.star || s.select.names.some(Boolean) || s.select.built,
      )
    : [];
  const built = selects.find((s) => s.select.built);
  if (built)
    throw new SiteRefusal(
      `${mapper.qualified} (line ${built.node.startPosition.row + 1}): the SELECT it maps builds its column list at run time (${built.select.items.map((i) => i.text).join(', ')})`,
    );
  // `Model.model_validate(dict(row))` and `Model(**dict(row))` read every column by name.
  const wholeRow = [...mapper.validates, ...mapper.calls.filter((c) => callAccess(c) === 'splat')];
  for (const call of wholeRow) {
    const how = call.childForFieldName('function')!.text.endsWith('model_validate')
      ? 'model_validate()'
      : `${p.model}(**...)`;
    if (json)
      throw new SiteRefusal(
        `${mapper.qualified} builds ${p.model} with ${how} (line ${call.startPosition.row + 1}): the JSON column ${p.field} would arrive as text; decode it there by hand`,
        call.startPosition.row + 1,
      );
    notes.push(`${mapper.qualified} uses ${how}: reads ${p.field} by name, nothing to add`);
  }
  for (const call of mapper.calls.filter((c) => callAccess(c) !== 'splat')) {
    const line = call.startPosition.row + 1;
    const where = `${mapper.qualified} (line ${line})`;
    const args = call.childForFieldName('arguments')!;
    const kwargs = keywordArguments(args);
    if (kwargs.has(p.field)) continue;
    const siblings = [...kwargs.entries()].map(([field, node]) => ({ field, text: node.text }));
    const value =
      callAccess(call) === 'position'
        ? byPosition(p, siblings, newColumnIndex(p, selects, where, line))
        : byName(p, siblings, where, line);
    edits.push(appendKeywordArgument(source, args, `${p.field}=${value}`));
    changes.push(`${where}: ${p.field}=${value}`);
  }
  for (const { node, select } of selects) {
    if (selectEdits.has(node.startIndex)) continue;
    const indent = lineIndentAt(source, node.startIndex + (select.items.at(-1)?.start ?? 0));
    const added = addSelectColumn(node.text, select, p.field, indent).map((e) => ({
      ...e,
      start: node.startIndex + e.start,
      end: node.startIndex + e.end,
    }));
    selectEdits.set(node.startIndex, added);
    if (added.length > 0)
      changes.push(
        `${mapper.qualified}: ${p.field} added to the columns of the SELECT it maps (line ${node.startPosition.row + 1})`,
      );
  }
  return { edits, changes, notes };
}

export const addRowMapperField: Codemod<Options> = {
  id: 'add-row-mapper-field',
  description:
    'Adds `field=<read and convert the column>` to every `Model(...)` built from a row — `_row_to_*` helpers and mappers inline in query methods — reading like the sibling fields (row["x"], dict(row).get("x"), row[i] at the column\'s place in the SELECT) and converting like them (fromisoformat, UUID, Enum, bool, json.loads); adds the column to the SELECTs feeding the mapper that name their columns (`SELECT *` is left alone); `Model(**dict(row))` and `model_validate(dict(row))` read it by name; a SELECT built at run time, an unknown column order or an unreadable mapper is refused, each with its function and line.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const mappers = mapperFunctions(root, p.model).filter(
      (m) => !p.functions || p.functions.includes(m.name) || p.functions.includes(m.qualified),
    );
    if (mappers.length === 0) return skipped(source, `no row mapper building ${p.model} here`);
    const edits: Edit[] = [];
    const changes: string[] = [];
    const notes: string[] = [];
    const sites: RefusedSite[] = [];
    const selectEdits = new Map<number, Edit[]>();
    for (const mapper of mappers) {
      try {
        const one = mapOne(source, root, p, mapper, selectEdits);
        edits.push(...one.edits);
        changes.push(...one.changes);
        notes.push(...one.notes);
      } catch (err) {
        if (!(err instanceof SiteRefusal)) throw err;
        if (p.byHand.includes(mapper.qualified))
          notes.push(`left to be edited by hand (handled_by_hand): ${err.message}`);
        else
          sites.push({
            function: mapper.qualified,
            line: err.line ?? mapper.fn.startPosition.row + 1,
            reason: err.message,
          });
      }
    }
    if (sites.length > 0)
      return {
        status: 'failed',
        source,
        changes: [],
        reason: sites.map((s) => s.reason).join('; '),
        warnings: notes,
        sites,
      };
    for (const e of selectEdits.values()) edits.push(...e);
    if (edits.length === 0) {
      return {
        ...unchanged(source, notes.join('; ') || `every mapper already sets ${p.field}`),
        warnings: notes,
      };
    }
    const needs: ImportNeed[] = [...typeImports(typeOf(p))];
    if (changes.some((c) => c.includes('json.'))) needs.push({ module: 'json', name: '' });
    for (const e of enumNames(typeOf(p)))
      if (p.enumModules[e]) needs.push({ module: p.enumModules[e], name: e });
    const used = needs.filter((n) => changes.some((c) => c.includes(n.name || n.module)));
    const imports = importEdits(source, root, used);
    return finish(source, [...edits, ...imports.edits], [...changes, ...imports.changes], notes);
  },
};
