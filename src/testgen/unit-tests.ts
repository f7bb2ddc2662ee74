/**
 * Unit tests of one new model field: a valid value is kept, each constraint's boundary is accepted
 * and one past it raises ValidationError, a wrong type raises, None where nullable, the default
 * where omitted (or ValidationError when the field is required), every enum member, empty lists.
 */
import type { FieldType } from '../spec/field-type';
import type { FieldCases } from './field-cases';
import { testDef, type TestFile } from './test-file';

export function emitUnitTests(
  file: TestFile,
  opts: { field: string; type: FieldType; cases: FieldCases },
): void {
  const { field, cases, type } = opts;
  const model = file.wiring.model;
  file.imports.name(model.module, model.name);
  const prefix = `test_${snakeModel(model.name)}_${field}`;
  file.imports.merge(model.needs);
  const make = (value?: string) =>
    `${model.name}(${[...model.kwargs, ...(value !== undefined ? [`${field}=${value}`] : [])].join(', ')})`;
  const unitTest = (name: string, body: string[], params: string[] = [], decorators: string[] = []) =>
    file.test(testDef(file, { name: `${prefix}_${name}`, params, body, async: false, decorators }));

  unitTest('when_valid_value_is_kept', [
    `${snakeModel(model.name)} = ${make(cases.valid.py)}`,
    `assert ${snakeModel(model.name)}.${field} == ${cases.valid.py}`,
  ]);
  for (const c of cases.accepted) {
    unitTest(`when_${c.label}_is_accepted`, [`value = ${c.py}`, `assert ${make('value')}.${field} == value`]);
  }
  if (cases.rejected.length > 0) {
    file.imports.module('pytest').name('pydantic', 'ValidationError');
  }
  for (const c of cases.rejected) {
    unitTest(`when_${c.label}_raises_validation_error`, [
      'with pytest.raises(ValidationError):',
      `    ${make(c.py)}`,
    ]);
  }
  if (cases.nullable) {
    unitTest('when_none_is_accepted', [`assert ${make('None')}.${field} is None`]);
  }
  if (cases.defaultCheck) {
    const words =
      cases.defaultCheck.words === 'default' ? 'uses_the_default' : `defaults_to_${cases.defaultCheck.words}`;
    unitTest(`when_omitted_${words}`, [`assert ${cases.defaultCheck.assertion(`${make()}.${field}`)}`]);
  } else {
    file.imports.module('pytest').name('pydantic', 'ValidationError');
    unitTest('when_omitted_raises_validation_error', [
      'with pytest.raises(ValidationError):',
      `    ${make()}`,
    ]);
  }
  if (cases.enumMembers && type.kind === 'enum') {
    file.imports.module('pytest');
    unitTest(
      'when_any_member_is_accepted',
      [`assert ${make('member')}.${field} == member`],
      [`member: ${type.name}`],
      [`@pytest.mark.parametrize(${file.str('member')}, ${cases.enumMembers})`],
    );
    unitTest('when_given_a_member_value_parses_it', [
      `assert ${make(cases.valid.json)}.${field} == ${cases.valid.py}`,
    ]);
  }
  if (type.kind === 'list' && !cases.accepted.some((c) => c.label === 'at_min_length')) {
    unitTest('when_empty_is_accepted', [`assert ${make('[]')}.${field} == []`]);
  }
}

export function snakeModel(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
