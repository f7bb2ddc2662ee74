/** The valid sample of a pattern-constrained string: found for short codes, never the default. */
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { fieldCases } from '../../src/testgen/field-cases';
import { ImportSet } from '../../src/testgen/python-text';

const change = (pattern: string) =>
  parseFeatureSpec(
    {
      feature: 'f',
      data_models: {
        changes: [{ model: 'Book', field: 'language', type: 'str', default: 'en', constraints: { pattern } }],
      },
    },
    'f',
  ).data_models.changes[0]!;

test.each([
  ['^[a-z]{2}$', '"xy"'],
  ['^[0-9]{2}$', '"12"'],
])('a value matching %s is found (%s), other than the default', (pattern, expected) => {
  const cases = fieldCases(change(pattern), { kind: 'str' }, [], '"', new ImportSet());
  expect(cases.valid.py).toBe(expected);
});
