/**
 * Finds every anchor a feature spec needs in a Python codebase (step 0b of a run, docs/durable-run.md).
 * Each layer has its finder module (find-model, find-table, find-migrations, find-inserts,
 * find-service, find-tool, find-serializers); this module runs them in order for each field change.
 */
import { SpecialistError } from '../errors';
import type { FeatureSpec } from '../spec/feature-spec';
import { parseFieldType, type FieldType } from '../spec/field-type';
import { architecturePathProblems } from '../spec/workspace-paths';
import { sqlType } from '../codemods/field';
import type { AnchorMap, FieldAnchors } from './anchor-map';
import { specInvalid } from './anchor-errors';
import { checkTypeValues, findEnums } from './check-field-change';
import { findInserts, findRowMappers } from './find-inserts';
import { findMigrations } from './find-migrations';
import { findModel } from './find-model';
import { findSerializers } from './find-serializers';
import { findService, serviceAnchor } from './find-service';
import { checkColumnCase, createTableAnchors, createTableSites, inferTable } from './find-table';
import { findTool } from './find-tool';
import { findTests } from './tests-config';
import { ormTables, refuseAlembic } from './persistence-kind';
import { enumClasses, enumMembers, indexWorkspace } from './workspace-index';

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
    const enums = findEnums(spec, type, i, enumsFound);
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
    const tool = findTool(index, change, i, svc.fn.name);
    if (tool.why !== 'given') inferred.push(`api_tool: ${tool.tool.name} (${tool.why})`);
    const rowMappers = findRowMappers(index, change.model);
    const createTables = createTableAnchors(tableSites, table);
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
