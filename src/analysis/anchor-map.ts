/**
 * The anchor map: everything the edit phases (1–5) and the testing phase (6) need to know about a
 * target codebase, found once by `analyzeWorkspace`. Plain JSON (no tree nodes): it travels in
 * Temporal payloads. Paths are relative to the workspace root; lines are 1-based, byte offsets are
 * JavaScript string offsets into the file as read (UTF-16 code units).
 */
import type { FieldType } from '../spec/field-type';
import type { RouteAnchor } from './find-fastapi-routes';

export type { RouteAnchor } from './find-fastapi-routes';

export interface SourceRange {
  startIndex: number;
  endIndex: number;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

/** A Python module: its file and its import path (e.g. `taskqueue.domain.models`). */
export interface ModuleRef {
  file: string;
  module: string;
}

/** How a file writes things, so that generated code looks like its neighbours. */
export interface StyleFacts {
  /** Quote character of ordinary string literals. */
  quote: '"' | "'";
  /** `str | None` (pipe) or `Optional[str]` (optional). */
  optionalStyle: 'pipe' | 'optional';
  /** One indentation level, e.g. four spaces. */
  indent: string;
  /** Docstring argument style of the file's functions. */
  docstringStyle: 'google' | 'rest' | 'none';
}

export interface ModelFieldInfo {
  name: string;
  /** The annotation as written, e.g. `datetime | None`. */
  annotation: string;
  line: number;
}

export interface ModelAnchor extends ModuleRef {
  className: string;
  range: SourceRange;
  /** The annotated assignments of the class body, in order. */
  fields: ModelFieldInfo[];
  /** Line of `model_config = ...` when present. */
  modelConfigLine?: number;
  style: StyleFacts;
}

export interface EnumAnchor extends ModuleRef {
  className: string;
  members: { name: string; value: string }[];
}

export interface MigrationsAnchor extends ModuleRef {
  /** Class that holds `_run_migrations` (undefined when it is a module-level function). */
  className?: string;
  method: string;
  range: SourceRange;
  /** Variable holding the connection inside the method, e.g. `conn`, `self._conn`, `db`. */
  connectionVar: string;
  /** The migrations read `PRAGMA user_version`: a database stamped with the current version skips them. */
  versionGated?: boolean;
  /** The `PRAGMA table_info(<table>)` column check for this change's table, when there is one. */
  columnCheck?: { range: SourceRange; columnsVar: string; existingColumns: string[] };
  /**
   * The project has no migration code: `method` is created beside `after` (the function that executes
   * the table's CREATE TABLE, in `className` when given) and called right after that statement.
   */
  create?: { after: string };
}

export interface CreateTableAnchor extends ModuleRef {
  function: string;
  className?: string;
  range: SourceRange;
  table: string;
  columns: string[];
}

export interface InsertAnchor extends ModuleRef {
  function: string;
  className?: string;
  /** Range of the SQL string literal. */
  range: SourceRange;
  table: string;
  columns: string[];
  placeholders: number;
  /** The parameter expressions as written, in order (empty when they are not a literal tuple/list). */
  params: string[];
  /** True when the INSERT is run by the service method of this change (phase 3 owns it). */
  inServiceMethod: boolean;
}

export interface RowMapperAnchor extends ModuleRef {
  function: string;
  className?: string;
  range: SourceRange;
  /**
   * How the mapper reads columns: `row["x"]`, `dict(row).get("x")` / `data.get("x")`, `row[2]`,
   * `Model(**dict(row))`, `Model.model_validate(dict(row))`.
   */
  access: 'subscript' | 'get' | 'position' | 'splat' | 'validate';
  /** False for a `_row_to_*` helper, true for a mapper written inline in a query method. */
  inline?: boolean;
}

/**
 * A place the engine cannot edit that the spec marks `handled_by_hand`: the run skips it and lists
 * it as left to be edited by hand.
 */
export interface HandEdit {
  /** `file:function`, as the spec names it. */
  site: string;
  file: string;
  /** `Class.method` or `function`. */
  function: string;
  line: number;
  layer: 'insert' | 'row mapper';
  reason: string;
}

export interface ServiceAnchor extends ModuleRef {
  /** Absent for a module-level service function. */
  className?: string;
  method: string;
  range: SourceRange;
  parameters: {
    name: string;
    kind: 'positional' | 'keyword_only' | 'args' | 'kwargs';
    hasDefault: boolean;
  }[];
  /** The `Model(...)` call inside the method; absent when it receives the model already built. */
  constructorCall?: SourceRange;
  /**
   * Set when the method receives the model object already built (`create(self, task: Task)`) and
   * passes it on to the code that INSERTs it: the field reaches it through that object (phase 3 has
   * nothing to add), and the presentation layer builds the object with it (`ModelBuild`).
   */
  receives?: {
    parameter: string;
    className: string;
    /** Position among the parameters after `self`, as a caller passes them. */
    position: number;
    keywordOnly: boolean;
  };
  /** Attribute through which the service reaches the database, e.g. `self.db`. */
  databaseAttribute?: string;
  docstringStyle: StyleFacts['docstringStyle'];
}

/**
 * Where the presentation layer (tool handler, FastMCP tool, route) builds the object a receiving
 * service takes (`ServiceAnchor.receives`): the field is passed to that constructor call, or nothing
 * when the object is built from the tool's arguments whole (`Task(**arguments)`, `model_validate`).
 */
export interface ModelBuild {
  className: string;
  line: number;
  fromArguments: boolean;
}

export interface ToolAnchor extends ModuleRef {
  name: string;
  className?: string;
  /** The schema dict (or call) holding `"name": <tool>` and the input schema. */
  schema: SourceRange;
  /** File of the schema (usually the handler's file). */
  schemaFile: string;
  /** Function whose body holds the schema (e.g. a decorated `list_tools`). */
  schemaFunction?: string;
  handler: { function: string; className?: string; range: SourceRange; argumentsVar: string };
  serviceCall: { range: SourceRange; style: 'keyword' | 'positional' | 'mixed' };
  required: string[];
  /** Where the handler builds the object the service receives (a receiving service only). */
  modelBuild?: ModelBuild;
  /**
   * Set when the tool is a FastMCP tool function (its signature is the schema; `schema` and `handler`
   * are then the function itself).
   */
  fastmcp?: FastMcpToolAnchor;
}

export interface FastMcpToolAnchor {
  /** The tool function's Python name (the tool's `name` may differ through `name=`). */
  function: string;
  registration: 'decorator' | 'add_tool';
  /** The server expression it is registered on (`mcp`). */
  receiver: string;
  /** The function that registers it on a server it receives (`register_tools(mcp)`), if any. */
  registerFunction?: string;
  /**
   * How the tool reaches the service: a module-level name (`_service`), a module getter
   * (`get_service()`), or a parameter of the register function (its index among the parameters).
   */
  serviceReceiver?: { kind: 'name' | 'call' | 'parameter'; name: string; position?: number };
  /** Whether the receiver is a module-level name of the tool's file (the test imports it). */
  serverIsModuleName?: boolean;
  /** The module the file imports `FastMCP` from (`mcp.server.fastmcp`, `fastmcp`). */
  serverImport?: string;
  /** How many parameters the register function takes. */
  registerParams?: number;
  /**
   * The Pydantic request model the tool takes as parameter `param` and reads the service's
   * arguments from: the field is added to it, and passed on as `param.field`. `required`: its fields
   * without a default.
   */
  requestModel?: { param: string; file: string; module: string; className: string; required: string[] };
}

export interface SerializerAnchor extends ModuleRef {
  function: string;
  className?: string;
  range: SourceRange;
  /** The parameter holding the model instance, e.g. `task`. */
  variable: string;
}

export interface TestsAnchor {
  /** Tests folder relative to the root, e.g. `tests`. */
  folder: string;
  conftest?: string;
  fixtures: { name: string; file: string; async: boolean }[];
}

/** The anchors of one field change, with the spec's optional fields filled in. */
export interface FieldAnchors {
  index: number;
  model: string;
  field: string;
  type: FieldType;
  nullable: boolean;
  /** Inferred or given. */
  table: string;
  sqlType: string;
  serviceMethod: string;
  apiTool: string;
  enums: EnumAnchor[];
  modelAnchor: ModelAnchor;
  migrations: MigrationsAnchor;
  createTables: CreateTableAnchor[];
  inserts: InsertAnchor[];
  rowMappers: RowMapperAnchor[];
  service: ServiceAnchor;
  /** The MCP tool presenting the service method; absent where only a FastAPI route presents it. */
  tool?: ToolAnchor;
  /** The FastAPI route presenting the service method, when the project serves HTTP. */
  route?: RouteAnchor;
  serializers: SerializerAnchor[];
  /** Refused places a person edits by hand (the spec's `handled_by_hand`); the phases skip them. */
  handEdits?: HandEdit[];
  /** What was inferred rather than given by the spec, as `key: value (why)` lines. */
  inferred: string[];
}

export interface AnchorMap {
  /** Absolute workspace root at analysis time. */
  root: string;
  /** Top-level Python package, e.g. `taskqueue`. */
  package: string;
  /** Folder that holds the package, relative to the root (`src` or `.`). */
  sourceRoot: string;
  changes: FieldAnchors[];
  /** Every enum class of the codebase (not only those the spec names). */
  enums: EnumAnchor[];
  tests: TestsAnchor;
  /** Python files scanned, relative to the root. */
  filesScanned: number;
}
