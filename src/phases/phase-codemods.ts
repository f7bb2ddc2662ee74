/**
 * Which codemods each edit phase runs, on which files, with which options — computed from the anchor
 * map and applied to an in-memory copy of the files (shared by `applyEditPhase` and `planFeature`).
 */
import { fieldOptionsOf } from '../codemods/field';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AnchorMap, FieldAnchors, ToolAnchor } from '../analysis/anchor-map';
import { SpecialistError } from '../errors';
import type { FeatureSpec, FieldChange } from '../spec/feature-spec';
import { runCodemod, type Codemod } from '../codemods/codemod';
import {
  addColumnMigration,
  addCreateTableColumn,
  addFastMcpToolParameter,
  addHandlerArgument,
  addInsertColumn,
  addMigrationFunction,
  addPydanticField,
  addRowMapperField,
  addSerializerField,
  addServiceParameter,
  addToolSchemaProperty,
} from '../codemods';
import type { CodeChange } from './contract';
import { routeSteps } from './route-steps';
import { encodeSource, readSource, type SourceFormat } from './source-file';

export type EditPhaseName =
  'domain_model' | 'database_migration' | 'service_layer' | 'api_layer' | 'serialization';
export const EDIT_PHASES: EditPhaseName[] = [
  'domain_model',
  'database_migration',
  'service_layer',
  'api_layer',
  'serialization',
];

/**
 * The files of a workspace as read once and edited in memory. The text is decoded by the file's
 * `coding:` declaration with `\n` line endings (see source-file.ts); `write` encodes it back in the
 * file's own encoding and line endings, so bytes outside the edits stay as they were.
 */
export class FileSet {
  readonly original = new Map<string, string>();
  readonly current = new Map<string, string>();
  private readonly formats = new Map<string, SourceFormat>();
  private readonly bytes = new Map<string, Buffer>();
  constructor(readonly root: string) {}
  get(file: string): string {
    if (!this.current.has(file)) {
      const read = readSource(this.root, file);
      this.original.set(file, read.text);
      this.current.set(file, read.text);
      this.formats.set(file, read.format);
      this.bytes.set(file, read.bytes);
    }
    return this.current.get(file)!;
  }
  set(file: string, text: string): void {
    this.get(file);
    this.current.set(file, text);
  }
  changed(): string[] {
    return [...this.current.keys()].filter((f) => this.current.get(f) !== this.original.get(f)).sort();
  }
  /** The bytes of every changed file; throws (nothing written) when one cannot be encoded back. */
  encodeChanged(): Map<string, Buffer> {
    return new Map(
      this.changed().map((f) => [
        f,
        encodeSource(this.current.get(f)!, this.formats.get(f)!, f, this.original.get(f)),
      ]),
    );
  }
  /** Writes every changed file in its own encoding and line endings; encodes them all before writing any. */
  write(): string[] {
    const encoded = this.encodeChanged();
    for (const [f, bytes] of encoded) writeFileSync(path.join(this.root, f), bytes);
    return [...encoded.keys()];
  }
  /** The file's bytes as they were read (before any edit). */
  originalBytes(file: string): Buffer {
    this.get(file);
    return this.bytes.get(file)!;
  }
  /** Puts the original bytes of the given files back. */
  restore(files: string[]): void {
    for (const f of files) {
      const bytes = this.bytes.get(f);
      if (bytes) writeFileSync(path.join(this.root, f), bytes);
    }
  }
}

export interface Step {
  file: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  codemod: Codemod<any>;
  params: Record<string, unknown>;
}

function modelContext(a: FieldAnchors, enumClasses: string[]): Record<string, unknown> {
  return {
    model: a.model,
    annotations: Object.fromEntries(a.modelAnchor.fields.map((f) => [f.name, f.annotation])),
    enumClasses,
  };
}

const unique = (files: string[]) => [...new Set(files)];

/** The functions of `file` whose refused places a person edits by hand (the spec's `handled_by_hand`). */
const byHand = (a: FieldAnchors, file: string) =>
  (a.handEdits ?? []).filter((h) => h.file === file).map((h) => h.function);

/** The codemod steps of one phase for one change. */
export function phaseSteps(
  phase: EditPhaseName,
  change: FieldChange,
  a: FieldAnchors,
  map: AnchorMap,
): Step[] {
  const f = fieldOptionsOf(change, a.enums);
  const enumClasses = map.enums.map((e) => e.className);
  const enumModules = Object.fromEntries(a.enums.map((e) => [e.className, e.module]));
  const ctx = modelContext(a, enumClasses);
  const toolSteps = (tool: NonNullable<FieldAnchors['tool']>): Step[] => [
    {
      file: tool.schemaFile,
      codemod: addToolSchemaProperty,
      params: { ...f, model: a.model, tool: tool.name, enumModules },
    },
    {
      file: tool.file,
      codemod: addHandlerArgument,
      params: {
        ...f,
        ...ctx,
        handler: tool.handler.function,
        className: tool.handler.className,
        serviceMethod: a.serviceMethod,
        argumentsVar: tool.handler.argumentsVar,
        ...(tool.modelBuild ? { modelConstructor: tool.modelBuild.className } : {}),
        enumModules,
      },
    },
  ];
  switch (phase) {
    case 'domain_model':
      return [
        {
          file: a.modelAnchor.file,
          codemod: addPydanticField,
          params: { ...f, model: a.model, enumModules },
        },
      ];
    case 'database_migration': {
      const steps: Step[] = [];
      // No migration code yet: the function is created (and called) first, then filled.
      if (a.migrations.create) {
        steps.push({
          file: a.migrations.file,
          codemod: addMigrationFunction,
          params: {
            table: a.table,
            method: a.migrations.method,
            after: a.migrations.create.after,
            className: a.migrations.className,
          },
        });
      }
      steps.push({
        file: a.migrations.file,
        codemod: addColumnMigration,
        params: {
          ...f,
          table: a.table,
          sqlType: a.sqlType,
          method: a.migrations.method,
          className: a.migrations.className,
          ...(a.migrations.create ? { connection: a.migrations.connectionVar } : {}),
        },
      });
      for (const file of unique(a.createTables.map((c) => c.file))) {
        steps.push({
          file,
          codemod: addCreateTableColumn,
          params: { ...f, table: a.table, sqlType: a.sqlType },
        });
      }
      for (const file of unique(a.inserts.filter((i) => !i.inServiceMethod).map((i) => i.file))) {
        const exceptFunction = file === a.service.file ? a.service.method : undefined;
        steps.push({
          file,
          codemod: addInsertColumn,
          params: { ...f, ...ctx, table: a.table, exceptFunction, byHand: byHand(a, file) },
        });
      }
      for (const file of unique(a.rowMappers.map((r) => r.file))) {
        const functions = a.rowMappers.filter((r) => r.file === file).map((r) => r.function);
        steps.push({
          file,
          codemod: addRowMapperField,
          params: {
            ...f,
            ...ctx,
            functions,
            enumModules,
            table: a.table,
            tableColumns: a.createTables[0]?.columns,
            byHand: byHand(a, file),
          },
        });
      }
      return steps;
    }
    case 'service_layer': {
      // The service receives the model built: the field reaches it through the object (runPhase says so).
      if (a.service.receives) return [];
      const steps: Step[] = [
        {
          file: a.service.file,
          codemod: addServiceParameter,
          params: {
            ...f,
            model: a.model,
            className: a.service.className,
            method: a.service.method,
            enumModules,
          },
        },
      ];
      if (a.inserts.some((i) => i.inServiceMethod)) {
        steps.push({
          file: a.service.file,
          codemod: addInsertColumn,
          params: {
            ...f,
            ...ctx,
            table: a.table,
            onlyFunction: a.service.method,
            allowBareName: true,
            byHand: byHand(a, a.service.file),
          },
        });
      }
      return steps;
    }
    case 'api_layer': {
      // A FastMCP tool: the signature is the schema, the parameter is passed on in the same function.
      const fastmcpSteps = (tool: ToolAnchor, fastmcp: NonNullable<ToolAnchor['fastmcp']>): Step[] => {
        const request = fastmcp.requestModel;
        return [
          // A tool taking a Pydantic request model: the field goes on that model too.
          ...(request
            ? [
                {
                  file: request.file,
                  codemod: addPydanticField,
                  params: { ...f, model: request.className, enumModules },
                },
              ]
            : []),
          {
            file: tool.file,
            codemod: addFastMcpToolParameter,
            params: {
              ...f,
              model: a.model,
              function: fastmcp.function,
              serviceMethod: a.serviceMethod,
              ...(request ? { requestParam: request.param } : {}),
              ...(tool.modelBuild ? { modelConstructor: tool.modelBuild.className } : {}),
              enumModules,
            },
          },
        ];
      };
      // A route, a tool, or both: each presentation gets the field.
      return [
        ...(a.route ? routeSteps(a.route, f, a.serviceMethod, enumModules) : []),
        ...(a.tool?.fastmcp ? fastmcpSteps(a.tool, a.tool.fastmcp) : a.tool ? toolSteps(a.tool) : []),
      ];
    }
    case 'serialization':
      return unique(a.serializers.map((s) => s.file)).map((file) => ({
        file,
        codemod: addSerializerField,
        params: {
          ...f,
          ...ctx,
          functions: a.serializers.filter((s) => s.file === file).map((s) => s.function),
        },
      }));
  }
}

/** What a phase does differently for a change, said where its codemods are listed (plan and run). */
export function phaseNote(phase: EditPhaseName, a: FieldAnchors): string | undefined {
  const r = a.service.receives;
  if (!r) return undefined;
  const service = `${a.service.className ?? a.service.module}.${a.service.method}`;
  if (phase === 'service_layer')
    return `the field reaches ${service} through ${r.className} (its parameter ${r.parameter}): nothing to add to its signature`;
  if (phase === 'api_layer') {
    const build = a.tool?.modelBuild ?? a.route?.modelBuild;
    const where = a.tool?.modelBuild
      ? `the tool ${a.tool.name}`
      : a.route
        ? `the route ${a.route.method.toUpperCase()} ${a.route.path}`
        : 'the presentation layer';
    if (build?.fromArguments)
      return `${where} builds the ${r.className} that ${service} receives from its arguments whole (line ${build.line}): ${a.field} arrives with them`;
    if (build)
      return `${where} builds the ${r.className} that ${service} receives (line ${build.line}): ${a.field} is passed to that ${r.className}(...) call`;
  }
  return undefined;
}

/**
 * Runs one phase's codemods for every change on the in-memory files; throws `CodemodFailed` (nothing
 * written) when one refuses. Returns the changes made and the notes of skipped codemods.
 */
export function runPhase(
  phase: EditPhaseName,
  spec: FeatureSpec,
  map: AnchorMap,
  files: FileSet,
): { changes: CodeChange[]; notes: string[] } {
  const changes: CodeChange[] = [];
  const notes: string[] = [];
  spec.data_models.changes.forEach((change, i) => {
    const a = map.changes[i]!;
    const note = phaseNote(phase, a);
    if (note) notes.push(note);
    for (const step of phaseSteps(phase, change, a, map)) {
      const result = runCodemod(step.codemod, files.get(step.file), step.params);
      if (result.status === 'failed') {
        throw new SpecialistError(
          'CodemodFailed',
          `${step.codemod.id} on ${step.file} (${a.model}.${a.field}): ${result.reason}`,
          {
            codemod: step.codemod.id,
            file: step.file,
            reason: result.reason,
          },
        );
      }
      if (result.status === 'changed') {
        files.set(step.file, result.source);
        for (const line of result.changes)
          changes.push({ file: step.file, codemod: step.codemod.id, description: line });
      } else if (result.reason && result.status === 'skipped') {
        notes.push(`${step.codemod.id} on ${step.file}: ${result.reason}`);
      }
      for (const w of result.warnings ?? []) notes.push(`${step.codemod.id} on ${step.file}: ${w}`);
    }
  });
  return { changes, notes };
}
