/** Every INSERT into a table, and the row mappers (`_row_to_*`) that build the model from a row. */
import { enclosingFunction, findAll, rangeOf } from '../python-syntax/parse';
import { buildsModel } from '../codemods/add-row-mapper-field';
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

/** The `_row_to_*` functions that build `model` from a row; at least one is needed. */
export function findRowMappers(index: WorkspaceIndex, model: string): RowMapperAnchor[] {
  const rowMappers: RowMapperAnchor[] = index.functions
    .filter((f) => !f.file.isTest && f.name.startsWith('_row_to_') && buildsModel(f.node, model))
    .map((f) => ({
      file: f.file.path,
      module: f.file.module,
      function: f.name,
      className: f.className,
      range: rangeOf(f.node),
      access: /\.get\(/.test(f.node.text) ? 'get' : 'subscript',
    }));
  if (rowMappers.length === 0) {
    const code = index.functions.filter((f) => !f.file.isTest);
    const building = code.filter((f) => buildsModel(f.node, model));
    notFound(
      `a _row_to_* mapper building ${model}`,
      'functions named _row_to_* in non-test files',
      code.filter((f) => f.name.startsWith('_row_to_')).map((f) => f.name),
      {
        seen: building.length
          ? [
              `${model}(...) is built in ${building
                .slice(0, 5)
                .map((f) => `${f.className ? `${f.className}.` : ''}${f.name} (${where(f)})`)
                .join(', ')}${building.length > 5 ? ', ...' : ''}`,
            ]
          : [],
        settle: `no spec key settles this: the row mapper is the function named _row_to_* that turns a row into ${model}; name it so, or add the field where rows are read by hand`,
      },
    );
  }
  return rowMappers;
}
