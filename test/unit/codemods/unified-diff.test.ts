import { diffLines, unifiedDiff } from '../../../src/phases/unified-diff';

describe('unifiedDiff', () => {
  const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n') + '\n';

  test('is empty when nothing changed', () => {
    expect(unifiedDiff('x.py', before, before)).toBe('');
  });

  test('shows an insertion with three lines of context and correct hunk ranges', () => {
    const after = before.replace('e\n', 'e\nE\n');
    expect(unifiedDiff('x.py', before, after)).toBe(
      ['--- a/x.py', '+++ b/x.py', '@@ -3,6 +3,7 @@', ' c', ' d', ' e', '+E', ' f', ' g', ' h', ''].join(
        '\n',
      ),
    );
  });

  test('merges nearby changes into one hunk and keeps distant ones apart', () => {
    const near = before.replace('b\n', 'B\n').replace('d\n', 'D\n');
    expect(unifiedDiff('x.py', before, near).match(/^@@/gm)).toHaveLength(1);
    const far = before.replace('a\n', 'A\n').replace('j\n', 'J\n');
    expect(unifiedDiff('x.py', before, far).match(/^@@/gm)).toHaveLength(2);
  });

  test('shows a replacement as a removal and an addition', () => {
    const diff = unifiedDiff('x.py', before, before.replace('c\n', 'C\n'));
    expect(diff).toContain('-c\n+C\n');
    expect(diff).toContain('@@ -1,6 +1,6 @@');
  });

  test('marks a last line without an ending, as `diff -u` does', () => {
    expect(unifiedDiff('x.py', 'x\ny', 'x\nz')).toBe(
      [
        '--- a/x.py',
        '+++ b/x.py',
        '@@ -1,2 +1,2 @@',
        ' x',
        '-y',
        '\\ No newline at end of file',
        '+z',
        '\\ No newline at end of file',
        '',
      ].join('\n'),
    );
  });

  test('shows a new file as one hunk from line 0', () => {
    expect(unifiedDiff('new.py', '', 'a\nb\n')).toBe('--- a/new.py\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  });
});

describe('diffLines', () => {
  test('aligns kept lines and lists removals before additions', () => {
    expect(diffLines(['a', 'b', 'c', 'd'], ['a', 'B', 'c', 'd', 'e'])).toEqual([
      { kind: ' ', line: 'a' },
      { kind: '-', line: 'b' },
      { kind: '+', line: 'B' },
      { kind: ' ', line: 'c' },
      { kind: ' ', line: 'd' },
      { kind: '+', line: 'e' },
    ]);
  });

  test('keeps every line of equal inputs', () => {
    expect(diffLines(['a', 'a'], ['a', 'a']).map((o) => o.kind)).toEqual([' ', ' ']);
  });
});
