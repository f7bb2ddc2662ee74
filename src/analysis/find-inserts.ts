/** Every INSERT into a table, and the row mappers (`_row_to_*`) that build the model from a row. */
import { enclosingFunction, findAll, rangeOf } from '../python-syntax/parse';
import { buildsModel, callAccess, mapperFunctions } from '../codemods/row-mappers';
import { insertParams } from '../codemods/add-insert-column';
import { builtColumnList } from '../codemods/built-column-list';
import { insertRegex, parseInsert } from '../codemods/sql';
import type { InsertAnchor, RowMapperAnchor } from './anchor-map';
import { notFound, where } from './anchor-errors';
import type { WorkspaceIndex } from './workspace-index';

export function findInserts(
  index: WorkspaceIndex,
  table: string,
  service?: { file: string; method: string },
): InsertAnchor[] {
  const out: InsertAnchor[] = [];
  for (const file of index.files.filter((f) => !f.isTest)) {
    for (const str of findAll(file.tree.rootNode, 'string')) {
      if (!insertRegex(table).test(str.text)) continue;
      const sql = parseInsert(str.text, table);
      const fn = enclosingFunction(str);
      const fnName = fn?.fn.childForFieldName('name')?.text ?? '<module>';
      const params = insertParams(str);
      // A column list built from a list of names (`{", ".join(columns)}`) is that list.
      const built = sql ? builtColumnList(str, sql) : undefined;
      out.push({
        file: file.path,
        module: file.module,
        function: fnName,
        className: fn?.className,
        range: rangeOf(str),
        table,
        columns: typeof built === 'object' ? built.names : (sql?.names ?? []),
        placeholders: typeof built === 'object' ? built.names.length : (sql?.values.length ?? 0),
        params: params ? params.namedChildren.filter((c) => c.type !== 'comment').map((c) => c.text) : [],
        inServiceMethod: !!service && service.file === file.path && service.method === fnName,
      });
    }
  }
  return out;
}

/**
 * The functions that build `model` from a row: `_row_to_*` helpers and mappers written inline in
 * query methods (`[Task(id=r["id"], ...) for r in rows]`, `Task(id=row[0], ...)`); at least one is needed.
 */
export function findRowMappers(index: WorkspaceIndex, model: string): RowMapperAnchor[] {
  const rowMappers: RowMapperAnchor[] = index.files
    .filter((f) => !f.isTest)
    .flatMap((file) =>
      mapperFunctions(file.tree.rootNode, model).map((m) => ({
        file: file.path,
        module: file.module,
        function: m.name,
        className: m.className,
        range: rangeOf(m.fn),
        access: m.calls[0] ? callAccess(m.calls[0]) : 'validate',
        inline: !m.name.startsWith('_row_to_'),
      })),
    );
  if (rowMappers.length === 0) {
    const code = index.functions.filter((f) => !f.file.isTest);
    const building = code.filter((f) => buildsModel(f.node, model));
    notFound(
      `a row mapper building ${model}`,
      `functions named _row_to_* and ${model}(...) calls reading a row (row["x"], row[0], row.get("x"), **dict(row)) in non-test files`,
      code.filter((f) => f.name.startsWith('_row_to_')).map((f) => f.name),
      {
        seen: building.length
          ? [
              `${model}(...) is built in ${building
                .slice(0, 5)
                .map((f) => `${f.className ? `${f.className}.` : ''}${f.name} (${where(f)})`)
                .join(', ')}${building.length > 5 ? ', ...' : ''}, from no row`,
            ]
          : [],
        settle: `no spec key settles this: a row mapper is a function named _row_to_* that turns a row into ${model}, or a ${model}(...) call whose arguments read the row's columns`,
      },
    );
  }
  return rowMappers;
}
