/**
 * A unified line diff for showing what a config write changes: jsdiff's `structuredPatch` (Myers'
 * algorithm), formatted as `diff -u` does, without jsdiff's `Index:` and `===` preamble.
 */
import { structuredPatch } from 'diff';

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const { hunks } = structuredPatch(oldName, newName, oldText, newText, undefined, undefined, { context });
  const lines = [`--- ${oldName}`, `+++ ${newName}`];
  for (const h of hunks) {
    // An empty range names the line before it, as diff -u does (0 for an empty file).
    const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    lines.push(`@@ -${oldStart},${h.oldLines} +${newStart},${h.newLines} @@`, ...h.lines);
  }
  return lines.join('\n') + '\n';
}
