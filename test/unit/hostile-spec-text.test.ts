/**
 * Spec text reaches Python source only through python-syntax/escape-text: every literal it writes is
 * read back by a real Python, which must see exactly the original text.
 */
import { spawnSync } from 'node:child_process';
import {
  docstringText,
  pythonString,
  PythonTextError,
  textInLiteral,
} from '../../src/python-syntax/escape-text';
import { pyString as codemodPyString } from '../../src/codemods/field';
import { pyString as testgenPyString } from '../../src/testgen/python-text';

const HOSTILE = [
  'plain',
  'double " and single \' quotes',
  'triple """ and \'\'\' quotes',
  'ends with a quote "',
  '""',
  'back\\slash, \\n not a newline, trailing \\',
  'C:\\new\\table\\x41\\N{BULLET}',
  'line one\nline two\r\nline three\rfour',
  'tab\there, bell \u0007, escape \u001b[31m, DEL \u007f, C1 \u0085',
  'separators \u2028 and \u2029',
  'emoji 🎉 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, accents é, CJK 漢字',
  '{braces} and {{doubled}}',
  '',
];

/** What Python makes of each source expression, as JSON (ensure_ascii keeps it exact). */
function pythonValues(expressions: string[]): string[] {
  const program = [
    'import json, sys',
    'values = [',
    ...expressions.map((e) => `    ${e},`),
    ']',
    'sys.stdout.write(json.dumps(values))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', program], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python3 failed:\n${result.stderr}\n${program}`);
  return JSON.parse(result.stdout) as string[];
}

describe('pythonString', () => {
  test.each(['"', "'"] as const)('reads back exactly in %s quotes', (quote) => {
    expect(pythonValues(HOSTILE.map((t) => pythonString(t, quote)))).toEqual(HOSTILE);
  });

  test('the codemods and the test generator use the same rule', () => {
    for (const text of HOSTILE) {
      expect(codemodPyString(text, '"')).toBe(pythonString(text, '"'));
      expect(testgenPyString(text, "'")).toBe(pythonString(text, "'"));
    }
  });

  test('keeps characters outside the BMP as they are', () => {
    expect(pythonString('🎉')).toBe('"🎉"');
  });

  test('refuses an unpaired surrogate', () => {
    expect(() => pythonString('bad \ud800 text')).toThrow(PythonTextError);
    expect(() => pythonString('bad \udc00')).toThrow(/unpaired UTF-16 surrogate/);
  });
});

describe('textInLiteral', () => {
  test.each(['"""', "'''", '"', "'", 'f"""', "f'"])('reads back exactly inside %s', (opening) => {
    const close = opening.replace(/^[a-z]+/i, '');
    const values = pythonValues(HOSTILE.map((t) => `${opening}<${textInLiteral(t, opening)}>${close}`));
    expect(values).toEqual(HOSTILE.map((t) => `<${t}>`));
  });

  test('refuses what a raw literal cannot hold, keeps what it can', () => {
    expect(() => textInLiteral('a\\b', 'r"""')).toThrow(PythonTextError);
    expect(() => textInLiteral('say "hi"', 'r"')).toThrow(/raw string/);
    expect(pythonValues([`r"""<${textInLiteral("it's 🎉", 'r"""')}>"""`])).toEqual(["<it's 🎉>"]);
  });

  test('refuses non-ASCII in a bytes literal', () => {
    expect(() => textInLiteral('🎉', 'b"')).toThrow(/not ASCII/);
  });
});

describe('docstringText', () => {
  test('a description with """ does not end the docstring; line breaks become spaces', () => {
    const description = 'Ends """ here\nand \\ goes on "';
    const source = `def f():\n    """Do it.\n\n    Args:\n        x: ${docstringText(description, '"""')}\n    """\n`;
    const result = spawnSync(
      'python3',
      [
        '-c',
        `import ast, sys\nsys.stdout.write(ast.get_docstring(ast.parse(${JSON.stringify(source)}).body[0]))`,
      ],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('Do it.\n\nArgs:\n    x: Ends """ here and \\ goes on "');
  });
});
