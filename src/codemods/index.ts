/** Every codemod of phases 1–5, by id. */
import type { Codemod } from './codemod';
import { addColumnMigration } from './add-column-migration';
import { addCreateTableColumn } from './add-create-table-column';
import { addFastMcpToolParameter } from './add-fastmcp-tool-parameter';
import { addHandlerArgument } from './add-handler-argument';
import { addInsertColumn } from './add-insert-column';
import { addMigrationFunction } from './add-migration-function';
import { addPydanticField } from './add-pydantic-field';
import { addRowMapperField } from './add-row-mapper-field';
import { addSerializerField } from './add-serializer-field';
import { addServiceParameter } from './add-service-parameter';
import { addToolSchemaProperty } from './add-tool-schema-property';
import { addRouteArgument } from './add-route-argument';
import { ensurePythonImports } from './ensure-python-imports';

export {
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
  addRouteArgument,
  ensurePythonImports,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const CODEMODS: Record<string, Codemod<any>> = Object.fromEntries(
  [
    addPydanticField,
    ensurePythonImports,
    addMigrationFunction,
    addColumnMigration,
    addCreateTableColumn,
    addInsertColumn,
    addRowMapperField,
    addServiceParameter,
    addToolSchemaProperty,
    addHandlerArgument,
    addRouteArgument,
    addFastMcpToolParameter,
    addSerializerField,
  ].map((c) => [c.id, c]),
);
