/**
 * The places of a field change the engine cannot edit (an INSERT or a row mapper in a shape the
 * codemods refuse), found at analysis by running those codemods on the files as they are: every one
 * is listed at once, beside the other layers' results. The spec's `handled_by_hand` marks a place a
 * person edits: the run then proceeds and skips it; an entry naming no refused place is a spec error.
 *
 * A place is named `file:function` (`src/app/db.py:LinkDB.import_links`, `src/app/db.py:save`), not
 * by line: a mark must survive the lines moving above it.
 */
import { SpecialistError } from '../errors';
import { runCodemod, type RefusedSite } from '../codemods/codemod';
import { fieldOptionsOf } from '../codemods/field';
import { addInsertColumn } from '../codemods/add-insert-column';
import { addRowMapperField } from '../codemods/add-row-mapper-field';
import type { FieldChange } from '../spec/feature-spec';
import type { EnumAnchor, HandEdit, InsertAnchor, ModelFieldInfo, RowMapperAnchor } from './anchor-map';
import { specInvalid } from './anchor-errors';
import type { WorkspaceIndex } from './workspace-index';

export interface SiteInputs {
  table: string;
  /** The table's columns before the change (its CREATE TABLE), in order. */
  tableColumns?: string[];
  modelFields: ModelFieldInfo[];
  enums: EnumAnchor[];
  enumClasses: string[];
  inserts: InsertAnchor[];
  rowMappers: RowMapperAnchor[];
}

/** The key a place is marked by in `handled_by_hand`. */
export const siteKey = (file: string, fn: string) => `${file}:${fn}`;

/** Every INSERT and row-mapper place of the change that the codemods refuse, each with why. */
export function refusedSites(index: WorkspaceIndex, change: FieldChange, inputs: SiteInputs): HandEdit[] {
  const field = {
    ...fieldOptionsOf(change, inputs.enums),
    model: change.model,
    annotations: Object.fromEntries(inputs.modelFields.map((f) => [f.name, f.annotation])),
    enumClasses: inputs.enumClasses,
  };
  const source = (file: string) => index.files.find((f) => f.path === file)!.source;
  const out: HandEdit[] = [];
  const collect = (file: string, layer: HandEdit['layer'], sites: RefusedSite[] | undefined) => {
    for (const s of sites ?? [])
      out.push({
        site: siteKey(file, s.function),
        file,
        function: s.function,
        line: s.line,
        layer,
        reason: s.reason,
      });
  };
  for (const file of new Set(inputs.inserts.map((i) => i.file)))
    collect(
      file,
      'insert',
      runCodemod(addInsertColumn, source(file), { ...field, table: inputs.table }).sites,
    );
  for (const file of new Set(inputs.rowMappers.map((r) => r.file))) {
    const functions = inputs.rowMappers.filter((r) => r.file === file).map((r) => r.function);
    const result = runCodemod(addRowMapperField, source(file), {
      ...field,
      functions,
      table: inputs.table,
      tableColumns: inputs.tableColumns,
    });
    collect(file, 'row mapper', result.sites);
  }
  return out;
}

/**
 * The refused places a person edits by hand (the spec's `handled_by_hand` of change `i`). Throws
 * `SpecInvalid` for an entry that names no refused place, and `CodemodFailed` listing every refused
 * place no entry names, with the option that settles it.
 */
export function settleSites(refused: HandEdit[], change: FieldChange, i: number): HandEdit[] {
  const marked = change.handled_by_hand ?? [];
  const keys = new Set(refused.map((r) => r.site));
  const listed = refused.map((r) => r.site).join(', ');
  marked.forEach((entry, k) => {
    if (!keys.has(entry))
      specInvalid(
        `data_models.changes[${i}].handled_by_hand[${k}]`,
        `"${entry}" names no place the engine refuses to edit for ${change.model}.${change.field} (${refused.length ? `the places it refuses: ${listed}` : 'it refuses none'}); an entry is "<file>:<function>" or "<file>:<Class>.<method>", as the refusal lists it`,
        { entry, refused: refused.map((r) => r.site) },
      );
  });
  const open = refused.filter((r) => !marked.includes(r.site));
  if (open.length > 0) {
    const lines = open.map((r) => `  ${r.site} (line ${r.line}, ${r.layer}): ${r.reason}`);
    throw new SpecialistError(
      'CodemodFailed',
      `${open.length} place(s) of ${change.model}.${change.field} the engine cannot edit:\n${lines.join('\n')}\n  — edit them by hand and list them in data_models.changes[${i}].handled_by_hand (e.g. ${JSON.stringify(open.map((r) => r.site))}): the run then skips them and lists them as left to be edited by hand`,
      { sites: open },
    );
  }
  return refused.filter((r) => marked.includes(r.site));
}
