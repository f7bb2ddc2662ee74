/** Finds every anchor a feature spec needs in a Python codebase (step 0b of a run, docs/durable-run.md). */
import { SpecialistError } from '../errors';
import type { FeatureSpec, FieldChange } from '../spec/feature-spec';
import { enumNames, parseFieldType, typeNames, type FieldType } from '../spec/field-type';
import { fieldNameProblem, ownTypeNameProblem, sqlIdentifierProblem } from '../spec/identifiers';
import { isoDateTimeProblem } from '../spec/iso-datetime';
import { architecturePathProblems } from '../spec/workspace-paths';
import type { SyntaxNode } from '../python-syntax/parse';
import { keywordArguments } from '../python-syntax/sequence';
import {
  docstringOf,
  dominantQuote,
  enclosingFunction,
  findAll,
  lineIndentAt,
  rangeOf,
  stringValue,
} from '../python-syntax/parse';
import { classFields, optionalStyleOf } from '../codemods/add-pydantic-field';
import { buildsModel, constructorCalls } from '../codemods/add-row-mapper-field';
import { insertParams } from '../codemods/add-insert-column';
import { callsNamed } from '../codemods/add-handler-argument';
import { builtColumnList } from '../codemods/built-column-list';
import { findToolSchemas, dictValue } from '../codemods/add-tool-schema-property';
import { modelParameter, SERIALIZER_NAME } from '../codemods/add-serializer-field';
import { sqlType } from '../codemods/field';
import { insertRegex, parseCreateTable, parseInsert } from '../codemods/sql';
import type {
  AnchorMap,
  CreateTableAnchor,
  EnumAnchor,
  FieldAnchors,
  InsertAnchor,
  MigrationsAnchor,
  ModelAnchor,
  RowMapperAnchor,
  SerializerAnchor,
  ServiceAnchor,
  StyleFacts,
  ToolAnchor,
} from './anchor-map';
import { findTests } from './tests-config';
import { ormTables, refuseAlembic, refuseOrmTable, type OrmTable } from './persistence-kind';
import { findMigrations } from './find-migrations';
import { findFastMcpTool } from './find-fastmcp-tools';
import { namesReadByClassBody } from './class-names';
import { modelKind, pydanticModels } from './model-kind';
import {
  enumClasses,
  enumMembers,
  indexWorkspace,
  type ClassInfo,
  type FunctionInfo,
  type PyFile,
  type WorkspaceIndex,
} from './workspace-index';

const where = (f: { file: PyFile; node: { startPosition: { row: number } } }) =>
  `${f.file.path}:${f.node.startPosition.row + 1}`;

function notFound(what: string, searched: string, candidates: string[]): never {
  throw new SpecialistError(
    'AnchorNotFound',
    `${what} not found (searched ${searched})${candidates.length ? `; candidates: ${candidates.join(', ')}` : '; nothing similar found'}`,
    { what, searched, candidates },
  );
}

function ambiguous(what: string, candidates: string[], hint: string): never {
  throw new SpecialistError('AnchorAmbiguous', `${what} is ambiguous: ${candidates.join(', ')} — ${hint}`, {
    what,
    candidates,
  });
}

function specInvalid(path: string, message: string, details: Record<string, unknown> = {}): never {
  throw new SpecialistError('SpecInvalid', `${path}: ${message}`, { path, ...details });
}

/** `TaskRun` → `task_run`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function styleOf(file: PyFile, cls?: ClassInfo): StyleFacts {
  const root = file.tree.rootNode;
  const docs = findAll(root, 'function_definition').map((f) => docstringOf(f)?.text ?? '');
  const google = docs.filter((d) => /^\s*(Args|Returns|Raises):\s*$/m.test(d)).length;
  const rest = docs.filter((d) => /^\s*:(param|returns?|raises)\b/m.test(d)).length;
  const firstIndented = findAll(root, 'block')[0];
  return {
    quote: dominantQuote(root),
    optionalStyle: cls
      ? optionalStyleOf(cls.node, file.source)
      : /\bOptional\[/.test(file.source)
        ? 'optional'
        : 'pipe',
    indent: firstIndented ? lineIndentAt(file.source, firstIndented.startIndex) || '    ' : '    ',
    docstringStyle: google > rest ? 'google' : rest > 0 ? 'rest' : 'none',
  };
}

/** One candidate, preferring those in the hinted file; ambiguous otherwise. */
function pick<T extends { file: PyFile }>(
  items: T[],
  hint: string | undefined,
  what: string,
  label: (t: T) => string,
): T | undefined {
  if (items.length <= 1) return items[0];
  const hinted = hint ? items.filter((i) => i.file.path === hint || i.file.path.endsWith(`/${hint}`)) : [];
  if (hinted.length === 1) return hinted[0];
  return ambiguous(what, items.map(label), 'name the file in the spec\'s "architecture" hints');
}

/** What the refusals of a model that is not a Pydantic model tell the user the tool needs. */
const NEEDS_PYDANTIC =
  'The tool adds the field to a Pydantic V2 model (a class deriving from pydantic.BaseModel, with Field(...) constraints and validation) and carries it through the table, the service, the tool and the serializers: make the model (or define one for these rows) a pydantic.BaseModel subclass first, or add this field by hand.';

function findModel(
  index: WorkspaceIndex,
  spec: FeatureSpec,
  change: FieldChange,
  i: number,
): { cls: ClassInfo; anchor: ModelAnchor } {
  const named = index.classes.filter((c) => c.name === change.model && !c.file.isTest);
  const scanned = index.files.filter((f) => !f.isTest).length;
  if (named.length === 0) {
    const models = pydanticModels(index).map((c) => c.name);
    specInvalid(
      `data_models.changes[${i}].model`,
      models.length > 0
        ? `unknown model "${change.model}" (searched every class in ${scanned} Python files; Pydantic models found: ${models.join(', ')})`
        : `unknown model "${change.model}": no class ${change.model} in ${scanned} Python files, and no Pydantic model at all (no class derives from pydantic.BaseModel: rows kept as plain dicts or tuples have no model to add a typed field to). ${NEEDS_PYDANTIC}`,
      { candidates: models },
    );
  }
  // A Pydantic class wins over a same-named dataclass or ORM row class elsewhere.
  const pydantic = named.filter((c) => modelKind(index, c).pydantic);
  const cls = pick(
    pydantic.length > 0 ? pydantic : named,
    spec.architecture.domain_models,
    `model class ${change.model}`,
    where,
  )!;
  const kind = modelKind(index, cls);
  if (!kind.pydantic) {
    specInvalid(
      `data_models.changes[${i}].model`,
      `${cls.name} (${where(cls)}) is ${kind.what}, not a Pydantic model. ${NEEDS_PYDANTIC}`,
      { kind: kind.what },
    );
  }
  // Besides what the body reads already, the new field's own line reads the typing names it is written with.
  const reads = new Set([
    ...namesReadByClassBody(cls.node),
    'Field',
    'Optional',
    'List',
    'Dict',
    'Annotated',
  ]);
  if (reads.has(change.field)) {
    specInvalid(
      `data_models.changes[${i}].field`,
      `"${change.field}" is a name the body of ${cls.name} (${where(cls)}) reads (in an annotation, a default or a decorator): a field of that name would rebind it inside the class and the model would break; choose another name`,
    );
  }
  const fields = classFields(cls.node);
  const config = cls.node
    .childForFieldName('body')
    ?.namedChildren.find((s) => s.namedChildren[0]?.childForFieldName('left')?.text === 'model_config');
  return {
    cls,
    anchor: {
      file: cls.file.path,
      module: cls.file.module,
      className: cls.name,
      range: rangeOf(cls.node),
      fields: fields.map((f) => ({
        name: f.name,
        annotation: f.annotation,
        line: f.stmt.startPosition.row + 1,
      })),
      modelConfigLine: config ? config.startPosition.row + 1 : undefined,
      style: styleOf(cls.file, cls),
    },
  };
}

interface TableSite {
  file: PyFile;
  node: SyntaxNode;
  table: string;
  columns: string[];
  types: string[];
}

function createTableSites(index: WorkspaceIndex): TableSite[] {
  const out: TableSite[] = [];
  for (const file of index.files.filter((f) => !f.isTest)) {
    for (const str of findAll(file.tree.rootNode, 'string')) {
      const m = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?["`[]?(\w+)/i.exec(stringValue(str) ?? '');
      if (!m) continue;
      const parsed = parseCreateTable(str.text, m[1]!);
      if (parsed) out.push({ file, node: str, table: m[1]!, columns: parsed.names, types: parsed.types });
    }
  }
  return out;
}

function inferTable(
  sites: TableSite[],
  change: FieldChange,
  fields: string[],
  i: number,
  orm: OrmTable[],
): { table: string; why: string } {
  const tables = [...new Set(sites.map((s) => s.table))];
  if (change.table) {
    if (!tables.includes(change.table)) {
      refuseOrmTable(orm, change, i, [], tables);
      specInvalid(
        `data_models.changes[${i}].table`,
        `unknown table "${change.table}" (no CREATE TABLE for it; tables found: ${tables.join(', ') || 'none'})`,
        { candidates: tables },
      );
    }
    return { table: change.table, why: 'given' };
  }
  const snake = snakeCase(change.model);
  const names = [`${snake}s`, snake, `${snake}es`, snake.replace(/y$/, 'ies')];
  const byName = tables.filter((t) => names.includes(t.toLowerCase()));
  if (byName.length === 1) return { table: byName[0]!, why: `named after ${change.model}` };
  const overlap = tables
    .map((t) => ({
      t,
      n: sites.find((s) => s.table === t)!.columns.filter((c) => fields.includes(c)).length,
    }))
    .sort((a, b) => b.n - a.n);
  if (
    overlap[0] &&
    overlap[0].n >= Math.max(2, Math.ceil(fields.length / 2)) &&
    overlap[0].n !== overlap[1]?.n
  ) {
    return { table: overlap[0].t, why: `its columns match ${overlap[0].n} fields of ${change.model}` };
  }
  refuseOrmTable(orm, change, i, names, tables);
  // Only names that exist in the code: the guesses above (`bookmarkes`) are not shown as if they were.
  return notFound(
    `the table of ${change.model}`,
    `CREATE TABLE statements for a table named after ${change.model} or whose columns match its fields`,
    tables,
  );
}

/**
 * Refuses a field whose name a column of its table already has in another case: SQLite compares
 * column names case-insensitively, so `summary` would be `Summary` again (ADD COLUMN fails with
 * "duplicate column name"), while Python reads rows by exact key.
 */
function checkColumnCase(
  tableSites: TableSite[],
  migrations: MigrationsAnchor,
  table: string,
  change: FieldChange,
  i: number,
): void {
  const seen = [
    ...tableSites.map((s) => ({
      columns: s.columns,
      where: `CREATE TABLE at ${s.file.path}:${s.node.startPosition.row + 1}`,
    })),
    {
      columns: migrations.columnCheck?.existingColumns ?? [],
      where: `${migrations.method}() in ${migrations.file}`,
    },
  ];
  for (const { columns, where: at } of seen) {
    const other = columns.find((c) => c !== change.field && c.toLowerCase() === change.field.toLowerCase());
    if (!other) continue;
    specInvalid(
      `data_models.changes[${i}].field`,
      `table ${table} already has a column "${other}" (${at}); SQLite column names are case-insensitive, so "${change.field}" would be that same column under another name — rename the column, or choose a field name that is not a column of ${table}`,
      { column: other, table },
    );
  }
}

function findInserts(
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

function findService(
  index: WorkspaceIndex,
  spec: FeatureSpec,
  change: FieldChange,
  i: number,
  excludeFiles: Set<string>,
): { fn: FunctionInfo; why: string } {
  const builds = (f: FunctionInfo) => constructorCalls(f.node, change.model).length > 0;
  // Methods of classes, and module-level functions (a service written as a module of functions).
  const methods = index.functions.filter(
    (f) =>
      !f.file.isTest && !f.name.startsWith('_row_to_') && !f.node.parent?.parent?.type.includes('function'),
  );
  const label = (f: FunctionInfo) => `${f.className ?? f.file.module}.${f.name}`;
  if (change.service_method) {
    // `method`, `Class.method` or `module.function` (the module's dotted name or its last part).
    const parts = change.service_method.split('.');
    const name = parts.pop()!;
    const owner = parts.join('.');
    const named = methods.filter(
      (f) =>
        f.name === name &&
        (!owner ||
          f.className === owner ||
          (!f.className && (f.file.module === owner || f.file.module.endsWith(`.${owner}`)))),
    );
    if (named.length === 0) {
      specInvalid(
        `data_models.changes[${i}].service_method`,
        `no method or module function "${change.service_method}" (give "method", "Class.method" or "module.function")`,
        {
          candidates: methods.filter(builds).map(label),
        },
      );
    }
    const withModel = named.filter(builds);
    const fn = pick(
      withModel.length > 0 ? withModel : named,
      spec.architecture.service,
      `service method ${change.service_method}`,
      (f) => `${label(f)} (${where(f)})`,
    )!;
    if (!builds(fn)) notFound(`${change.model}(...) call in ${label(fn)}`, where(fn), []);
    return { fn, why: 'given' };
  }
  const dbLike = /Repository|Database|Repo$|Store$|Dao$/;
  let candidates = methods.filter(
    (f) => builds(f) && !excludeFiles.has(f.file.path) && (f.className ? !dbLike.test(f.className) : true),
  );
  // Methods first (as before module functions were seen): a module function is the service only
  // where no class method builds the model.
  if (candidates.some((f) => f.className)) candidates = candidates.filter((f) => f.className);
  const services = candidates.filter((f) =>
    f.className ? /Service$/.test(f.className) : /(^|\.)services?$/.test(f.file.module),
  );
  if (services.length > 0) candidates = services;
  if (candidates.length > 1) {
    const creating = candidates.filter((f) =>
      /^(create|enqueue|add|register|submit|insert|new)_?/.test(f.name),
    );
    if (creating.length >= 1) candidates = creating;
  }
  if (candidates.length > 1) {
    const hinted = spec.architecture.service
      ? candidates.filter((f) => f.file.path.endsWith(spec.architecture.service!))
      : [];
    if (hinted.length === 1) candidates = hinted;
  }
  if (candidates.length === 0) {
    notFound(
      `a service method or function that builds ${change.model}(...)`,
      'methods of non-test classes and module-level functions outside the database module',
      [],
    );
  }
  if (candidates.length > 1) {
    ambiguous(
      `the service method for ${change.model}`,
      candidates.map((f) => `${label(f)} (${where(f)})`),
      'set "service_method" in the spec ("Class.method" or "module.function")',
    );
  }
  const fn = candidates[0]!;
  return {
    fn,
    why: fn.className
      ? `the method of ${fn.className} that builds ${change.model}(...)`
      : `the function of ${fn.file.module} that builds ${change.model}(...)`,
  };
}

function serviceAnchor(fn: FunctionInfo, model: string): ServiceAnchor {
  const params = fn.node.childForFieldName('parameters')!.namedChildren.filter((p) => p.type !== 'comment');
  let keywordOnly = false;
  const parameters: ServiceAnchor['parameters'] = [];
  for (const p of params) {
    if (p.type === 'keyword_separator') {
      keywordOnly = true;
      continue;
    }
    const inner = p.type === 'typed_parameter' ? p.namedChildren[0]! : p;
    if (inner.type === 'list_splat_pattern') {
      parameters.push({ name: inner.text.replace(/^\*/, ''), kind: 'args', hasDefault: false });
      keywordOnly = true;
      continue;
    }
    if (inner.type === 'dictionary_splat_pattern') {
      parameters.push({ name: inner.text.replace(/^\*\*/, ''), kind: 'kwargs', hasDefault: false });
      continue;
    }
    const name = p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? inner.text);
    if (name === 'self' || name === 'cls') continue;
    parameters.push({
      name,
      kind: keywordOnly ? 'keyword_only' : 'positional',
      hasDefault: p.type.includes('default'),
    });
  }
  const db = /self\.(\w+)\.\w+\(/.exec(fn.node.text)?.[1];
  // A module function reaches the database through the object it takes first.
  const receiver = fn.className ? undefined : parameters.find((p) => p.kind === 'positional')?.name;
  const doc = docstringOf(fn.node)?.text ?? '';
  return {
    file: fn.file.path,
    module: fn.file.module,
    ...(fn.className ? { className: fn.className } : {}),
    method: fn.name,
    range: rangeOf(fn.node),
    parameters,
    constructorCall: rangeOf(constructorCalls(fn.node, model)[0]!),
    databaseAttribute: db ? `self.${db}` : receiver,
    docstringStyle: /^\s*(Args|Arguments):\s*$/m.test(doc)
      ? 'google'
      : /:param\b/.test(doc)
        ? 'rest'
        : 'none',
  };
}

function calls(fn: FunctionInfo, method: string): boolean {
  return findAll(fn.node, 'call').some((c) => callsNamed(c, method));
}

function findTool(
  index: WorkspaceIndex,
  change: FieldChange,
  i: number,
  method: string,
): { tool: ToolAnchor; why: string } {
  const files = index.files.filter((f) => !f.isTest);
  const allTools: { name: string; file: PyFile; definition: SyntaxNode }[] = [];
  for (const file of files) {
    for (const dict of findAll(file.tree.rootNode, 'dictionary')) {
      const name = dictValue(dict, 'name');
      if (name && (dictValue(dict, 'inputSchema') || dictValue(dict, 'input_schema'))) {
        allTools.push({ name: stringValue(name) ?? '', file, definition: dict });
      }
    }
    for (const call of findAll(file.tree.rootNode, 'call')) {
      const kw = keywordArguments(call.childForFieldName('arguments')!);
      const name = kw.get('name');
      if (name?.type === 'string' && (kw.has('inputSchema') || kw.has('input_schema'))) {
        allTools.push({ name: stringValue(name) ?? '', file, definition: call });
      }
    }
  }
  const handlers = index.functions.filter(
    (f) => !f.file.isTest && calls(f, method) && allTools.some((t) => t.file === f.file),
  );
  const toolOf = (h: FunctionInfo): string[] => {
    const own = allTools.filter((t) => t.file === h.file);
    const names = own.map((t) => t.name);
    const inDefinition = own
      .filter((t) => new RegExp(`\\b${h.name}\\b`).test(t.definition.text))
      .map((t) => t.name);
    if (inDefinition.length > 0) return inDefinition;
    const linked = names.filter((n) =>
      findAll(h.file.tree.rootNode, 'string').some((s) => {
        if (stringValue(s) !== n) return false;
        let stmt = s.parent;
        while (
          stmt &&
          !['pair', 'if_statement', 'case_clause', 'elif_clause', 'expression_statement'].includes(stmt.type)
        )
          stmt = stmt.parent;
        if (!stmt) return false;
        const body =
          stmt.type === 'if_statement' || stmt.type === 'elif_clause'
            ? (stmt.childForFieldName('consequence')?.text ?? '')
            : stmt.type === 'case_clause'
              ? stmt.text
              : stmt.text;
        // Dispatch to the handler by name, or the branch of the handler itself that calls the method.
        if (new RegExp(`\\b${h.name}\\b`).test(body)) return true;
        const inside = enclosingFunction(stmt)?.fn.startIndex === h.node.startIndex;
        return inside && stmt.type !== 'pair' && body.includes(`.${method}(`);
      }),
    );
    if (linked.length > 0) return linked;
    const norm = (s: string) => s.replace(/[^a-z0-9]/gi, '').toLowerCase();
    return names.filter((n) => norm(h.name).includes(norm(n)));
  };
  let name = change.api_tool;
  let handler: FunctionInfo | undefined;
  let why = 'given';
  if (name) {
    if (!allTools.some((t) => t.name === name)) {
      specInvalid(
        `data_models.changes[${i}].api_tool`,
        `unknown tool "${name}" (tools found: ${allTools.map((t) => t.name).join(', ') || 'none'})`,
        { candidates: allTools.map((t) => t.name) },
      );
    }
    const linked = handlers.filter((h) => toolOf(h).includes(name!));
    const pool = linked.length > 0 ? linked : handlers;
    if (pool.length > 1)
      ambiguous(
        `the handler of tool ${name}`,
        pool.map((h) => `${h.name} (${where(h)})`),
        'one handler per tool is expected',
      );
    handler = pool[0];
  } else {
    if (handlers.length === 0)
      notFound(
        `a tool handler calling ${method}(...)`,
        'functions in files that define tool schemas',
        allTools.map((t) => t.name),
      );
    const mapped = handlers.map((h) => ({ h, tools: toolOf(h) })).filter((m) => m.tools.length > 0);
    const pairs = mapped.flatMap((m) => m.tools.map((t) => ({ h: m.h, t })));
    if (pairs.length === 0)
      notFound(
        `the tool whose handler calls ${method}(...)`,
        handlers.map(where).join(', '),
        allTools.map((t) => t.name),
      );
    if (pairs.length > 1)
      ambiguous(
        `the tool for ${method}`,
        pairs.map((p) => `${p.t} → ${p.h.name}`),
        'set "api_tool" in the spec',
      );
    name = pairs[0]!.t;
    handler = pairs[0]!.h;
    why = `its handler ${handler.name} calls ${method}(...)`;
  }
  if (!handler)
    notFound(
      `a handler for tool ${name} calling ${method}(...)`,
      'functions in files that define tool schemas',
      [],
    );
  const schemaSites = [handler.file, ...files.filter((f) => f !== handler!.file)].flatMap((f) =>
    findToolSchemas(f.tree.rootNode, name!).map((s) => ({ ...s, file: f })),
  );
  const schema = schemaSites[0];
  if (!schema) notFound(`the inputSchema of tool ${name}`, 'dict literals and Tool(...) calls', []);
  const serviceCall = findAll(handler.node, 'call').find((c) => callsNamed(c, method))!;
  const args = serviceCall.childForFieldName('arguments')!.namedChildren;
  const kw = args.filter((a) => a.type === 'keyword_argument').length;
  const params = handler.node
    .childForFieldName('parameters')!
    .namedChildren.map((p) => (p.type === 'identifier' ? p.text : (p.namedChildren[0]?.text ?? '')));
  const argumentsVar =
    params.find((p) => /^(arguments|args|params|payload|data|request)$/.test(p)) ??
    params[params.length - 1] ??
    'arguments';
  const schemaFn = enclosingFunction(schema.definition);
  const requiredNode = dictValue(schema.schema, 'required');
  return {
    tool: {
      file: handler.file.path,
      module: handler.file.module,
      name: name!,
      className: handler.className,
      schema: rangeOf(schema.definition),
      schemaFile: schema.file.path,
      schemaFunction: schemaFn?.fn.childForFieldName('name')?.text,
      handler: {
        function: handler.name,
        className: handler.className,
        range: rangeOf(handler.node),
        argumentsVar,
      },
      serviceCall: {
        range: rangeOf(serviceCall),
        style: kw === args.length ? 'keyword' : kw === 0 ? 'positional' : 'mixed',
      },
      required: requiredNode ? requiredNode.namedChildren.map((n) => stringValue(n) ?? n.text) : [],
    },
    why,
  };
}

function findSerializers(index: WorkspaceIndex, model: string): SerializerAnchor[] {
  return index.functions
    .filter((f) => !f.file.isTest && SERIALIZER_NAME.test(f.name) && modelParameter(f.node, model))
    .map((f) => ({
      file: f.file.path,
      module: f.file.module,
      function: f.name,
      className: f.className,
      range: rangeOf(f.node),
      variable: modelParameter(f.node, model)!,
    }));
}

function checkTypeValues(change: FieldChange, type: FieldType, i: number, enums: EnumAnchor[]): void {
  const path = `data_models.changes[${i}]`;
  const fieldProblem = fieldNameProblem(change.field);
  if (fieldProblem) specInvalid(`${path}.field`, fieldProblem);
  if (change.table && sqlIdentifierProblem(change.table))
    specInvalid(`${path}.table`, sqlIdentifierProblem(change.table)!);
  if (!change.nullable && change.default === undefined) {
    specInvalid(
      `${path}.default`,
      `${change.model}.${change.field} is required (not nullable, no default): existing rows cannot be migrated; give it a default or set "nullable": true`,
    );
  }
  const d = change.default;
  // The same rules as the spec schema: a spec that reached the analysis unchecked is refused alike.
  const isoProblem = typeof d === 'string' && type.kind === 'datetime' ? isoDateTimeProblem(d) : undefined;
  if (isoProblem) specInvalid(`${path}.default`, isoProblem);
  const shadowsType = ownTypeNameProblem(change.field, typeNames(type));
  if (shadowsType) specInvalid(`${path}.field`, shadowsType);
  if (
    typeof d === 'string' &&
    type.kind === 'UUID' &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(d)
  ) {
    specInvalid(`${path}.default`, `"${d}" is not a UUID`);
  }
  if (typeof d === 'string' && type.kind === 'enum') {
    const e = enums.find((x) => x.className === type.name)!;
    if (!e.members.some((m) => m.value === d || m.name === d)) {
      specInvalid(
        `${path}.default`,
        `"${d}" is not a member of ${type.name} (${e.members.map((m) => m.value).join(', ')})`,
      );
    }
  }
}

/**
 * Reads the Python files under `root` and locates, for each field change of `spec`, the model, the
 * migrations, CREATE TABLE, every INSERT, the row mappers, the service method, the tool and the
 * serializers. Throws `SpecialistError` (`SpecInvalid`, `AnchorNotFound`, `AnchorAmbiguous`) naming
 * what was searched, where, and the candidates found. Touches nothing.
 */
export async function analyzeWorkspace(root: string, spec: FeatureSpec): Promise<AnchorMap> {
  // Before anything is read: a path hint outside the workspace would lead the writes out of it.
  const outside = architecturePathProblems(root, spec.architecture);
  if (outside.length > 0)
    throw new SpecialistError('SpecInvalid', outside.join('; '), { path: 'architecture', problems: outside });
  const index = indexWorkspace(root);
  // Before anything else: a CREATE TABLE string beside Alembic revisions must not draw a second migration system.
  refuseAlembic(index);
  const sites = createTableSites(index);
  const orm = ormTables(index);
  const enumsFound = enumClasses(index);
  const changes: FieldAnchors[] = spec.data_models.changes.map((change, i) => {
    let type: FieldType;
    try {
      type = parseFieldType(change.type);
    } catch (err) {
      return specInvalid(`data_models.changes[${i}].type`, (err as Error).message);
    }
    const enums: EnumAnchor[] = enumNames(type).map((name) => {
      const found = enumsFound.filter((e) => e.name === name);
      if (found.length === 0) {
        specInvalid(
          `data_models.changes[${i}].type`,
          `unknown type or enum "${name}" (enums found: ${enumsFound.map((e) => e.name).join(', ') || 'none'})`,
          { candidates: enumsFound.map((e) => e.name) },
        );
      }
      const e = pick(found, spec.architecture.domain_models, `enum ${name}`, where)!;
      return { file: e.file.path, module: e.file.module, className: e.name, members: enumMembers(e) };
    });
    checkTypeValues(change, type, i, enums);
    const { anchor: modelAnchor } = findModel(index, spec, change, i);
    const inferred: string[] = [];
    const { table, why } = inferTable(
      sites,
      change,
      modelAnchor.fields.map((f) => f.name),
      i,
      orm,
    );
    if (why !== 'given') inferred.push(`table: ${table} (${why})`);
    const tableSites = sites.filter((s) => s.table === table);
    const sql =
      change.sql_type ??
      sqlType(
        type,
        tableSites.flatMap((s) => s.types),
      );
    if (!change.sql_type)
      inferred.push(
        `sql_type: ${sql} (from ${change.type}${sql === 'TIMESTAMP' || sql === 'BOOLEAN' ? `, as the table writes it` : ''})`,
      );
    const migrations = findMigrations(index, spec, table, tableSites);
    if (migrations.create)
      inferred.push(
        `migrations: none found (no function reads PRAGMA table_info and adds columns): a reference ${migrations.className ? `${migrations.className}.` : ''}${migrations.method}() is created in ${migrations.file} and called after the CREATE TABLE ${table} in ${migrations.className ? `${migrations.className}.` : ''}${migrations.create.after}()`,
      );
    checkColumnCase(tableSites, migrations, table, change, i);
    const dbFiles = new Set([migrations.file, ...tableSites.map((s) => s.file.path)]);
    const svc = findService(index, spec, change, i, dbFiles);
    if (svc.why !== 'given') inferred.push(`service_method: ${svc.fn.name} (${svc.why})`);
    const service = serviceAnchor(svc.fn, change.model);
    // FastMCP tool functions first (their own finder); schema-dict tools otherwise.
    const tool = findFastMcpTool(index, change, i, svc.fn.name) ?? findTool(index, change, i, svc.fn.name);
    if (tool.why !== 'given') inferred.push(`api_tool: ${tool.tool.name} (${tool.why})`);
    const rowMappers: RowMapperAnchor[] = index.functions
      .filter((f) => !f.file.isTest && f.name.startsWith('_row_to_') && buildsModel(f.node, change.model))
      .map((f) => ({
        file: f.file.path,
        module: f.file.module,
        function: f.name,
        className: f.className,
        range: rangeOf(f.node),
        access: /\.get\(/.test(f.node.text) ? 'get' : 'subscript',
      }));
    if (rowMappers.length === 0) {
      notFound(
        `a _row_to_* mapper building ${change.model}`,
        'functions named _row_to_* in non-test files',
        index.functions.filter((f) => f.name.startsWith('_row_to_')).map((f) => f.name),
      );
    }
    const createTables: CreateTableAnchor[] = tableSites.map((s) => {
      const fn = enclosingFunction(s.node);
      return {
        file: s.file.path,
        module: s.file.module,
        function: fn?.fn.childForFieldName('name')?.text ?? '<module>',
        className: fn?.className,
        range: rangeOf(s.node),
        table,
        columns: s.columns,
      };
    });
    return {
      index: i,
      model: change.model,
      field: change.field,
      type,
      nullable: change.nullable,
      table,
      sqlType: sql,
      serviceMethod: svc.fn.name,
      apiTool: tool.tool.name,
      enums,
      modelAnchor,
      migrations,
      createTables,
      inserts: findInserts(index, table, { file: service.file, method: service.method }),
      rowMappers,
      service,
      tool: tool.tool,
      serializers: findSerializers(index, change.model),
      inferred,
    };
  });
  const packageName =
    spec.architecture.package ??
    changes[0]?.modelAnchor.module.split('.')[0] ??
    index.files.find((f) => !f.isTest)?.module.split('.')[0] ??
    '';
  return {
    root,
    package: packageName,
    sourceRoot: index.sourceRoot,
    changes,
    enums: enumsFound.map((e) => ({
      file: e.file.path,
      module: e.file.module,
      className: e.name,
      members: enumMembers(e),
    })),
    tests: findTests(index, spec.architecture.tests),
    filesScanned: index.files.length,
  };
}
