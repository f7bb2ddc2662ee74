/** tree-sitter offsets on non-ASCII text, the file's indentation step, and appending after a trailing comment. */
import { findAll, indentUnit, parsePython } from '../../src/python-syntax/parse';
import { afterTrailingComment, appendElement } from '../../src/python-syntax/sequence';
import { applyEdits } from '../../src/codemods/codemod';

describe('parsePython offsets', () => {
  test('are JavaScript string (UTF-16) offsets, after "é" and an emoji too', () => {
    const source = 'x = "é😀"  # ü\ny = [1, 2]\n';
    const root = parsePython(source).rootNode;
    const y = findAll(root, 'identifier').find((n) => n.text === 'y')!;
    expect(y.startIndex).toBe(source.indexOf('y = '));
    const list = findAll(root, 'list')[0]!;
    expect(source.slice(list.startIndex, list.endIndex)).toBe('[1, 2]');
    const str = findAll(root, 'string')[0]!;
    expect(source.slice(str.startIndex, str.endIndex)).toBe('"é😀"');
    // Columns count UTF-16 units as well: the emoji is two.
    expect(str.endPosition).toEqual({ row: 0, column: 9 });
  });

  test('an edit after non-ASCII text lands where it should', () => {
    const source = '"""Société 🚀"""\nitems = [\n    "à",\n]\n';
    const list = findAll(parsePython(source).rootNode, 'list')[0]!;
    expect(applyEdits(source, [appendElement(source, list, '"😀"')])).toBe(
      '"""Société 🚀"""\nitems = [\n    "à",\n    "😀",\n]\n',
    );
  });
});

describe('indentUnit', () => {
  test.each([
    ['class A:\n\tx = 1\n\tdef f(self):\n\t\treturn 1\n', '\t'],
    ['class A:\n  x = 1\n  def f(self):\n    return 1\n', '  '],
    ['class A:\n    x = 1\n', '    '],
    ['x = 1\n', '    '],
  ])('%j → %j', (source, unit) => {
    expect(indentUnit(source)).toBe(unit);
  });
});

describe('appending after a trailing comment', () => {
  const append = (source: string, text: string) => {
    const node = findAll(parsePython(source).rootNode, ['argument_list', 'list', 'dictionary'])[0]!;
    return applyEdits(source, [appendElement(source, node, text)]);
  };

  test('a comment after the last element and its comma stays on its line', () => {
    expect(append('f(\n    a=1,\n    b=2,  # note, with a comma\n)\n', 'c=3')).toBe(
      'f(\n    a=1,\n    b=2,  # note, with a comma\n    c=3,\n)\n',
    );
  });

  test('without a trailing comma the comma goes before the comment', () => {
    expect(append('f(\n\ta=1,\n\tb=2  # note\n)\n', 'c=3')).toBe('f(\n\ta=1,\n\tb=2,  # note\n\tc=3\n)\n');
  });

  test('a comment on its own line after the last element stays after the new one', () => {
    expect(append('x = [\n    1,\n    # more later\n]\n', '2')).toBe(
      'x = [\n    1,\n    2,\n    # more later\n]\n',
    );
  });

  test('afterTrailingComment only skips a comment on the same line', () => {
    expect(afterTrailingComment('a,  # c\nb', 2)).toBe(7);
    expect(afterTrailingComment('a,\n# c', 2)).toBe(2);
    expect(afterTrailingComment('a, b', 2)).toBe(2);
  });
});
