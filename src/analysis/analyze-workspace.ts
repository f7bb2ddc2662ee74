/**
 * Finds every anchor a feature spec needs in a Python codebase (step 0b of a run, docs/durable-run.md).
 * Each layer has its finder module (find-model, find-table, find-migrations, find-inserts,
 * find-service, find-tool, find-serializers); this module runs them in order for each field change
 * and reports every layer they could not find at once (layer-problems.ts).
 */
import { SpecialistError } from '../errors';
import type { FeatureSpec } from '../spec/feature-spec';
import { parseFieldType, type FieldType } from '../spec/field-type';
import {
  architecturePathProblems,
  missingArchitecturePaths,
  unknownArchitectureKeys,
} from '../spec/workspace-paths';
import { classFields } from '../codemods/add-pydantic-field';
import { sqlType } from '../codemods/field';
import type { AnchorMap, EnumAnchor, FieldAnchors, MigrationsAnchor } from './anchor-map';
import { specInvalid } from './anchor-errors';
import { checkTypeValues, findEnums } from './check-field-change';
import { findInserts, findRowMappers } from './find-inserts';
import { findMigrations } from './find-migrations';
import { findModel } from './find-model';
import { findSerializers } from './find-serializers';
import { findService, serviceAnchor } from './find-service';
import { checkColumnCase, createTableAnchors, createTableSites, inferTable } from './find-table';
import { fastapiRoutes, findFastapiRoute } from './find-fastapi-routes';
import { findFastMcpTool, findFastMcpTools } from './find-fastmcp-tools';
import { findTool, refuseWithoutTools } from './find-tool';
import { LayerProblems } from './layer-problems';
import { refusedSites, settleSites } from './refused-sites';
import { findTests } from './tests-config';
import { ormTables, refuseAlembic } from './persistence-kind';
import { enumClasses, enumMembers, indexWorkspace, type WorkspaceIndex } from './workspace-index';

/**
 * Throws every problem of the spec's `architecture` at once: unknown keys, paths outside the workspace,
 * paths that name nothing in it (`files`: the workspace's files, relative to the root).
 */
function refuseArchitecture(root: string, spec: FeatureSpec, files: string[]): void {
  const unknown = unknownArchitectureKeys(spec.architecture);
  const outside = architecturePathProblems(root, spec.architecture);
  const reported = new Set([...unknown, ...outside].map((p) => p.slice(0, p.indexOf(':'))));
  const missing = missingArchitecturePaths(root, spec.architecture, files).filter(
    (p) => !reported.has(p.slice(0, p.indexOf(':'))),
  );
  const problems = [...unknown, ...outside, ...missing];
  if (problems.length > 0)
    throw new SpecialistError('SpecInvalid', problems.join('; '), { path: 'architecture', problems });
}

/** The spec's own values of change `i`, checked before any layer is looked for (thrown at once). */
function checkChange(spec: FeatureSpec, i: number, enumsFound: ReturnType<typeof enumClasses>) {
  const change = spec.data_models.changes[i]!;
  let type: FieldType;
  try {
    type = parseFieldType(change.type);
  } catch (err) {
    return specInvalid(`data_models.changes[${i}].type`, (err as Error).message);
  }
  const enums = findEnums(spec, type, i, enumsFound);
  checkTypeValues(change, type, i, enums);
  return { type, enums };
}

/**
 * The anchors of change `i`, or undefined when a layer refused (recorded in `problems`). A layer whose
 * input another layer could not give is still looked at where it can be: the service without the
 * table, the presence of tools without the service, the row mappers always — only an unknown model
 * stops the change, since every other layer is searched by the model's name.
 */
function analyzeChange(
  index: WorkspaceIndex,
  spec: FeatureSpec,
  i: number,
  checked: { type: FieldType; enums: EnumAnchor[] },
  shared: {
    sites: ReturnType<typeof createTableSites>;
    orm: ReturnType<typeof ormTables>;
    enumsFound: ReturnType<typeof enumClasses>;
  },
  problems: LayerProblems,
): FieldAnchors | undefined {
  const change = spec.data_models.changes[i]!;
  const { type, enums } = checked;
  const attempt = <T>(layer: Parameters<LayerProblems['attempt']>[2], find: () => T) =>
    problems.attempt(change, i, layer, find);
  const named = index.classes.filter((c) => c.name === change.model && !c.file.isTest);
  const model = attempt('model', () => findModel(index, spec, change, i));
  if (named.length === 0) return undefined;
  const fields = model?.anchor.fields.map((f) => f.name) ?? classFields(named[0]!.node).map((f) => f.name);
  const inferred: string[] = [];
  const { sites, orm, enumsFound } = shared;
  const found = attempt('table', () => inferTable(sites, change, fields, i, orm));
  const table = found?.table;
  if (found && found.why !== 'given') inferred.push(`table: ${found.table} (${found.why})`);
  const tableSites = sites.filter((s) => s.table === table);
  let migrations: MigrationsAnchor | undefined;
  let columnsOk = true;
  if (table) {
    migrations = attempt('migrations', () => findMigrations(index, spec, table, tableSites));
    if (migrations?.create)
      inferred.push(
        `migrations: none found (no function reads PRAGMA table_info and adds columns): a reference ${migrations.className ? `${migrations.className}.` : ''}${migrations.method}() is created in ${migrations.file} and called after the CREATE TABLE ${table} in ${migrations.className ? `${migrations.className}.` : ''}${migrations.create.after}()`,
      );
    const m = migrations;
    if (m)
      columnsOk = attempt('field', () => (checkColumnCase(tableSites, m, table, change, i), true)) ?? false;
  }
  // The database layer is no service: without its table, every file that declares a table is left out.
  const dbFiles = new Set(
    table
      ? [...(migrations ? [migrations.file] : []), ...tableSites.map((s) => s.file.path)]
      : [...sites.map((s) => s.file.path), ...orm.map((o) => o.at.replace(/:\d+$/, ''))],
  );
  const svc = attempt('service', () => findService(index, spec, change, i, dbFiles));
  if (svc && svc.why !== 'given') inferred.push(`service_method: ${svc.fn.name} (${svc.why})`);
  // The presentation layer: a FastAPI route, an MCP tool, or both (then both get the field).
  const problemsBefore = problems.problems.length;
  const route = svc
    ? attempt('tool', () =>
        findFastapiRoute(
          index,
          change,
          svc.fn.name,
          svc.receives ? { received: svc.receives, i } : undefined,
        ),
      )
    : undefined;
  const routeRefused = problems.problems.length > problemsBefore;
  if (route && !change.api_tool)
    inferred.push(
      `api_tool: ${route.method.toUpperCase()} ${route.path} (the FastAPI route ${route.function} calls ${svc!.fn.name}(...))`,
    );
  // FastMCP tool functions first (their own finder); schema-dict tools otherwise.
  const anyTool = (method: string) =>
    findFastMcpTool(index, change, i, method, svc?.receives) ??
    findTool(index, change, i, method, svc?.receives);
  const tool = route
    ? optionalTool(() => anyTool(svc!.fn.name))
    : routeRefused
      ? undefined
      : svc
        ? attempt('tool', () => anyTool(svc.fn.name))
        : // Without the service, the tool layer is judged by its kind alone: FastMCP functions and
          // FastAPI routes are supported kinds, so only a project with neither hears about it.
          attempt('tool', () => {
            if (findFastMcpTools(index).length === 0 && fastapiRoutes(index).length === 0)
              refuseWithoutTools(index, change);
          });
  if (tool && tool.why !== 'given') inferred.push(`api_tool: ${tool.tool.name} (${tool.why})`);
  const rowMappers = attempt('row mappers', () => findRowMappers(index, change.model));
  const service = svc ? serviceAnchor(svc.fn, change.model, svc.receives) : undefined;
  // A service receiving the model built runs no INSERT of its own values: its INSERT, if any, reads
  // the object like any other (phase 2).
  const inserts = table
    ? findInserts(
        index,
        table,
        service && !service.receives ? { file: service.file, method: service.method } : undefined,
      )
    : [];
  // The places no codemod can edit, listed with the other layers' results (or marked handled by hand).
  const handEdits =
    model && table
      ? attempt('inserts and row mappers', () =>
          settleSites(
            refusedSites(index, change, {
              table,
              tableColumns: tableSites[0]?.columns,
              modelFields: model.anchor.fields,
              enums,
              enumClasses: enumsFound.map((e) => e.name),
              inserts,
              rowMappers: rowMappers ?? [],
            }),
            change,
            i,
          ),
        )
      : [];
  if (
    !model ||
    !table ||
    !migrations ||
    !columnsOk ||
    !svc ||
    !service ||
    (!tool && !route) ||
    !rowMappers ||
    !handEdits
  )
    return undefined;
  const sql =
    change.sql_type ??
    sqlType(
      type,
      tableSites.flatMap((s) => s.types),
    );
  if (!change.sql_type)
    inferred.splice(
      found && found.why !== 'given' ? 1 : 0,
      0,
      `sql_type: ${sql} (from ${change.type}${sql === 'TIMESTAMP' || sql === 'BOOLEAN' ? `, as the table writes it` : ''})`,
    );
  return {
    index: i,
    model: change.model,
    field: change.field,
    type,
    nullable: change.nullable,
    table,
    sqlType: sql,
    serviceMethod: svc.fn.name,
    apiTool: tool?.tool.name ?? `${route!.method.toUpperCase()} ${route!.path}`,
    enums,
    modelAnchor: model.anchor,
    migrations,
    createTables: createTableAnchors(tableSites, table),
    inserts,
    rowMappers,
    handEdits,
    service,
    ...(tool ? { tool: tool.tool } : {}),
    ...(route ? { route } : {}),
    serializers: findSerializers(index, change.model),
    inferred,
  };
}

/** A tool beside a route: absent is fine (the route presents the service), anything else is not. */
function optionalTool<T>(find: () => T): T | undefined {
  try {
    return find();
  } catch (err) {
    if (err instanceof SpecialistError && (err.type === 'AnchorNotFound' || err.type === 'SpecInvalid'))
      return undefined;
    throw err;
  }
}

/**
 * Reads the Python files under `root` and locates, for each field change of `spec`, the model, the
 * migrations, CREATE TABLE, every INSERT, the row mappers, the service method, the tool and the
 * serializers. Throws `SpecialistError` (`SpecInvalid`, `AnchorNotFound`, `AnchorAmbiguous`) naming
 * what was searched, where, what was seen and the candidates found — every layer that could not be
 * found at once (layer-problems.ts). Touches nothing.
 */
export async function analyzeWorkspace(root: string, spec: FeatureSpec): Promise<AnchorMap> {
  const index = indexWorkspace(root);
  // Before any layer is looked for: a path hint outside the workspace would lead the writes out of
  // it, and a misspelt key or a path that names nothing would be ignored silently.
  refuseArchitecture(
    root,
    spec,
    index.files.map((f) => f.path),
  );
  // Before anything else: a CREATE TABLE string beside Alembic revisions must not draw a second migration system.
  refuseAlembic(index);
  const enumsFound = enumClasses(index);
  const shared = { sites: createTableSites(index), orm: ormTables(index), enumsFound };
  const checked = spec.data_models.changes.map((_, i) => checkChange(spec, i, enumsFound));
  const problems = new LayerProblems();
  const found = checked.map((c, i) => analyzeChange(index, spec, i, c, shared, problems));
  problems.throwIfAny();
  const changes = found.filter((c): c is FieldAnchors => c !== undefined);
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
