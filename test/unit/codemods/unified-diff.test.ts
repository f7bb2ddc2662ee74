import { unifiedDiff } from '../../../src/phases/unified-diff';

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
});
