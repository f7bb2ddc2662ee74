/** The spec's values of one field change checked against its type and the project's enums. */
import type { FeatureSpec, FieldChange } from '../spec/feature-spec';
import { enumNames, typeNames, type FieldType } from '../spec/field-type';
import { fieldNameProblem, ownTypeNameProblem, sqlIdentifierProblem } from '../spec/identifiers';
import { isoDateTimeProblem } from '../spec/iso-datetime';
import type { EnumAnchor } from './anchor-map';
import { pick, specInvalid, where } from './anchor-errors';
import { enumMembers, type ClassInfo } from './workspace-index';

export function checkTypeValues(change: FieldChange, type: FieldType, i: number, enums: EnumAnchor[]): void {
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

/** The project's enum classes a field type names (`Priority`, `list[Priority]`), each found once. */
export function findEnums(
  spec: FeatureSpec,
  type: FieldType,
  i: number,
  enumsFound: ClassInfo[],
): EnumAnchor[] {
  return enumNames(type).map((name) => {
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
}
