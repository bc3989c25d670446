import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { codeFrameColumns } from '@babel/code-frame';
import { isAlias, isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ErrorCode, MfinfraError, type Diagnostic, type SourceLocation } from '../errors.js';

/** Manifests larger than this are refused before parsing (a manifest is a few KB). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** YAML aliases allowed when expanding (defeats "billion laughs" alias bombs). */
export const MAX_ALIAS_COUNT = 100;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A parsed manifest that remembers where every value came from. */
export interface ManifestSource {
  /** Absolute path of the manifest file. */
  readonly file: string;
  /** The folder the manifest lives in; relative paths in it resolve from here. */
  readonly dir: string;
  readonly text: string;
  /** The plain data (untyped until validated). */
  readonly data: unknown;
  /** Position of the value at `path` (or of its closest existing parent). */
  locate(path: ReadonlyArray<string | number>): SourceLocation;
  /** Position of the key of the entry at `path` (for "unknown key" errors), or of the value. */
  locateKey(path: ReadonlyArray<string | number>): SourceLocation;
  /** A code frame around a location. */
  frame(loc: SourceLocation): string;
}

/** Show a path as users write it: `batch.computeEnvironments[0].maxVcpus`. */
export function formatPath(p: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of p) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(root)';
}

export function makeFrame(text: string, loc: { line: number; column: number }): string {
  // @babel/code-frame counts columns from 0; mfinfra (like editors) from 1.
  return codeFrameColumns(text, { start: { line: loc.line, column: loc.column - 1 } }, { linesAbove: 2, linesBelow: 1 });
}

export async function readManifest(file: string): Promise<ManifestSource> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new MfinfraError(ErrorCode.FILE_UNREADABLE, `cannot read manifest ${file}: ${(e as Error).message}`, {
      hint: 'check that the file exists and is readable',
    });
  }
  if (buf.byteLength > MAX_MANIFEST_BYTES) {
    throw new MfinfraError(ErrorCode.FILE_TOO_LARGE, `manifest ${file} is ${buf.byteLength} bytes; the limit is ${MAX_MANIFEST_BYTES}`, {
      hint: 'a manifest describes one deployment in a few kilobytes; check that this is the right file',
      loc: { file, line: 1, column: 1 },
    });
  }
  return parseManifest(buf.toString('utf8'), file);
}

/** Parse manifest text. Syntax errors, alias bombs and dangerous keys are reported with positions. */
export function parseManifest(text: string, file: string): ManifestSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const toLoc = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const frame = (loc: SourceLocation) => makeFrame(text, loc);

  const diagnostics: Diagnostic[] = [];
  for (const err of doc.errors) {
    const loc = toLoc(err.pos[0]);
    diagnostics.push({
      code: ErrorCode.YAML_SYNTAX,
      severity: 'error',
      message: `yaml syntax error: ${err.message.split('\n')[0]}`,
      loc,
      frame: frame(loc),
      hint: 'fix the YAML syntax at this position (indentation, a missing colon, or an unclosed quote are common causes)',
    });
  }
  if (diagnostics.length === 0) collectForbiddenKeys(doc, toLoc, frame, diagnostics);
  if (diagnostics.length) {
    throw new MfinfraError(ErrorCode.MANIFEST_INVALID, summary(file, diagnostics), {
      diagnostics,
      loc: diagnostics[0]!.loc,
    });
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const loc = { file, line: 1, column: 1 };
    throw new MfinfraError(ErrorCode.ALIAS_LIMIT, `the manifest expands too many YAML aliases (${(e as Error).message.toLowerCase()})`, {
      hint: `use at most ${MAX_ALIAS_COUNT} alias expansions; write the repeated values out`,
      loc,
      frame: frame(loc),
    });
  }

  const nodeAt = (p: ReadonlyArray<string | number>): { node: Node | null; keyNode: Node | null } => {
    let node: Node | null = doc.contents as Node | null;
    let keyNode: Node | null = null;
    for (const part of p) {
      if (node && isAlias(node)) node = node.resolve(doc as Document) ?? null;
      if (!node || !isCollection(node)) break;
      if (isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(part));
        if (!pair) break;
        keyNode = pair.key as Node;
        node = (pair.value as Node | null) ?? keyNode;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part] as Node | undefined;
        if (!item) break;
        keyNode = null;
        node = item;
      } else break;
    }
    return { node, keyNode };
  };
  const rangeStart = (n: Node | null): number => (n?.range ? n.range[0] : 0);

  return {
    file,
    dir: path.dirname(file),
    text,
    data,
    locate: (p) => toLoc(rangeStart(nodeAt(p).node)),
    locateKey: (p) => {
      const { node, keyNode } = nodeAt(p);
      return toLoc(rangeStart(keyNode ?? node));
    },
    frame,
  };
}

function collectForbiddenKeys(
  doc: Document,
  toLoc: (offset: number) => SourceLocation,
  frame: (l: SourceLocation) => string,
  out: Diagnostic[],
): void {
  const walk = (node: unknown, trail: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
          const loc = toLoc((pair.key as Node).range?.[0] ?? 0);
          out.push({
            code: 'FORBIDDEN_KEY',
            severity: 'error',
            message: `key "${key}" is not allowed in a manifest`,
            path: formatPath([...trail, key]),
            loc,
            frame: frame(loc),
            hint: 'rename or remove this key; it could alter object prototypes',
          });
        }
        walk(pair.value, key === undefined ? trail : [...trail, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...trail, i]));
    }
  };
  walk(doc.contents, []);
}

function summary(file: string, diagnostics: Diagnostic[]): string {
  const n = diagnostics.length;
  return `${path.basename(file)} has ${n} problem${n === 1 ? '' : 's'}`;
}

export { summary as summarizeDiagnostics };
