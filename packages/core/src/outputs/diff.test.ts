import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'x')).toBe('');
  });

  it('shows separate hunks with 3 lines of context', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', '').concat('line 21\n');
    expect(unifiedDiff(before, after, 'a/f', 'b/f')).toBe(`--- a/f
+++ b/f
@@ -1,5 +1,5 @@
 line 1
-line 2
+line two
 line 3
 line 4
 line 5
@@ -15,6 +15,6 @@
 line 15
 line 16
 line 17
-line 18
 line 19
 line 20
+line 21
`);
  });

  it('handles a file created from nothing', () => {
    expect(unifiedDiff('', 'a\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -0,0 +1,1 @@\n+a\n');
  });

  it('marks a last line without a newline, and a file emptied', () => {
    expect(unifiedDiff('a\nb', 'a\nc', 'x', 'x')).toBe(
      '--- x\n+++ x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n',
    );
    expect(unifiedDiff('a\n', '', 'x', 'x')).toBe('--- x\n+++ x\n@@ -1,1 +0,0 @@\n-a\n');
  });
});
