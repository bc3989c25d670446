import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { codeFrameColumns } from '@babel/code-frame';
import { isAlias, isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ErrorCode, fail, MfinfraError, type Diagnostic, type SourceLocation } from '../errors.js';

/** Manifests larger than this are refused before parsing (a manifest is a few KB). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** YAML aliases allowed when expanding (defeats "billion laughs" alias bombs). */
export const MAX_ALIAS_COUNT = 100;
/** Deepest nesting of mappings and lists accepted (a real manifest nests 5 or 6 levels). */
export const MAX_DEPTH = 64;
/** A code frame shows at most this many characters of a line, around the column it points at. */
export const FRAME_WIDTH = 120;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Tags of plain YAML data (the JSON/core schema); anything else (!GetAtt, !!binary, !!timestamp) is refused. */
const PLAIN_TAGS = new Set([
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
]);

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
  // Only the lines shown are cut out of the text, each cut to FRAME_WIDTH characters around the
  // column: a 1 MB one-line manifest gives a frame of a few lines, not the whole line echoed.
  const first = Math.max(1, loc.line - 2);
  const lines = linesBetween(text, first, loc.line + 1);
  const col = Math.max(1, loc.column);
  let start = 0;
  const target = lines[loc.line - first] ?? '';
  if (target.length > FRAME_WIDTH && col > FRAME_WIDTH / 3)
    start = Math.min(col - 1 - Math.floor(FRAME_WIDTH / 3), target.length - FRAME_WIDTH);
  start = Math.max(0, start);
  const cut = (line: string, i: number) => {
    // Lines around the one pointed at are cut from the same column when they reach it, else kept.
    if (i !== loc.line - first && line.length <= FRAME_WIDTH) return line;
    const head = start > 0 ? '…' : '';
    const body = line.slice(start, start + FRAME_WIDTH);
    const tail = line.length > start + FRAME_WIDTH ? '…' : '';
    return head + body + tail;
  };
  const shown = lines.map(cut);
  const column = col - start + (start > 0 ? 1 : 0);
  // @babel/code-frame 7 counts columns from 1, as mfinfra (like editors) does (8 counts from 0, but
  // needs Node 22; core stays on 7 while it supports Node 20). Blank lines before the shown ones
  // keep its line numbers right without handing it the whole text.
  const framed = '\n'.repeat(first - 1) + shown.join('\n');
  return codeFrameColumns(framed, { start: { line: loc.line, column } }, { linesAbove: 2, linesBelow: 1 });
}

/** Lines `from`..`to` (1-based, inclusive) of `text`, found without splitting all of it. */
function linesBetween(text: string, from: number, to: number): string[] {
  let pos = 0;
  for (let n = 1; n < from; n++) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return [];
    pos = nl + 1;
  }
  const out: string[] = [];
  for (let n = from; n <= to && pos <= text.length; n++) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    // Only the start of a huge line is needed to cut a frame out of it (the column is bounded by it).
    out.push(text.slice(pos, Math.min(end, pos + 1024 * 1024)).replace(/\r$/, ''));
    if (nl < 0) break;
    pos = nl + 1;
  }
  return out;
}

/**
 * Read a manifest: only a regular file (a FIFO would block forever, a device such as /dev/zero never
 * ends), and never more than {@link MAX_MANIFEST_BYTES} (the limit is enforced while reading, so a file
 * that grows does not get read whole).
 */
export async function readManifest(file: string): Promise<ManifestSource> {
  const unreadable = (why: string, hint = 'check that the file exists and is readable') =>
    fail.FILE_UNREADABLE(`cannot read manifest ${file}: ${why}`, { hint });
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw unreadable('it is a symlink loop', 'point the path (or the link) at the manifest file itself');
    throw unreadable((e as Error).message);
  }
  let buf: Buffer;
  let size: number;
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const kind = info.isFIFO()
        ? 'a FIFO (named pipe)'
        : info.isCharacterDevice() || info.isBlockDevice()
          ? 'a device'
          : info.isSocket()
            ? 'a socket'
            : 'not a regular file';
      throw unreadable(`it is ${kind}, not a regular file`, 'give the path of the metaflow.infra.yaml file itself');
    }
    const limit = MAX_MANIFEST_BYTES;
    size = info.size;
    buf = Buffer.alloc(Math.min(Math.max(info.size, 0), limit) + 1);
    let length = 0;
    for (;;) {
      if (length === buf.byteLength) {
        if (length > limit) break;
        const bigger = Buffer.alloc(Math.min(buf.byteLength * 2, limit + 1));
        buf.copy(bigger);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, length, buf.byteLength - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    buf = buf.subarray(0, length);
  } catch (e) {
    if (MfinfraError.is(e)) throw e;
    throw unreadable((e as Error).message);
  } finally {
    await handle.close();
  }
  if (buf.byteLength > MAX_MANIFEST_BYTES) {
    throw fail.FILE_TOO_LARGE(
      `manifest ${file} is ${size > MAX_MANIFEST_BYTES ? size : `over ${MAX_MANIFEST_BYTES}`} bytes; the limit is ${MAX_MANIFEST_BYTES}`,
      {
        hint: 'a manifest describes one deployment in a few kilobytes; check that this is the right file',
        loc: { file, line: 1, column: 1 },
      },
    );
  }
  return parseManifest(buf.toString('utf8'), file);
}

/**
 * Parse manifest text. Syntax errors, YAML warnings (an unknown tag such as `!GetAtt`), nesting deeper
 * than {@link MAX_DEPTH}, numbers JSON cannot carry (1e309, .nan, integers past 2^53), alias bombs and
 * dangerous keys are reported with positions.
 */
export function parseManifest(rawText: string, file: string): ManifestSource {
  // Classic Mac line ends (a lone CR) are line breaks; one character for one keeps every offset.
  const text = rawText.includes('\r') ? rawText.replace(/\r(?!\n)/g, '\n') : rawText;
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
    if (err.code === 'RESOURCE_EXHAUSTION') {
      if (diagnostics.some((d) => d.code === ErrorCode.NESTED_TOO_DEEPLY)) continue;
      diagnostics.push(tooDeep(loc, frame(loc)));
      continue;
    }
    diagnostics.push({
      code: ErrorCode.YAML_SYNTAX,
      severity: 'error',
      message: `yaml syntax error: ${err.message.split('\n')[0]}`,
      loc,
      frame: frame(loc),
      hint: 'fix the YAML syntax at this position (indentation, a missing colon, or an unclosed quote are common causes)',
    });
  }
  // After one syntax error the parser's later ones mostly follow from it (a stray character can give
  // dozens): show the first, and say how many more there are.
  const syntax = diagnostics.filter((d) => d.code === ErrorCode.YAML_SYNTAX);
  if (syntax.length > 1) {
    const first = syntax[0]!;
    diagnostics.splice(0, diagnostics.length, ...diagnostics.filter((d) => d.code !== ErrorCode.YAML_SYNTAX || d === first));
    first.hint = `${first.hint}; ${syntax.length - 1} more syntax error${syntax.length === 2 ? '' : 's'} after it may go away with this one`;
  }
  for (const warning of doc.warnings) {
    const loc = toLoc(warning.pos[0]);
    const tag = warning.code === 'TAG_RESOLVE_FAILED' ? /tag: (\S+)/.exec(warning.message)?.[1] : undefined;
    diagnostics.push({
      code: ErrorCode.YAML_SYNTAX,
      severity: 'error',
      message: tag ? `unknown YAML tag ${tag}` : `yaml problem: ${warning.message.split('\n')[0]}`,
      loc,
      frame: frame(loc),
      hint: tag
        ? 'a manifest is plain YAML: CloudFormation functions such as !GetAtt, !Ref or !Sub are not available here; write the value itself'
        : 'fix the YAML at this position',
    });
  }
  if (diagnostics.length === 0) checkNodes(doc, text, toLoc, frame, diagnostics);
  if (diagnostics.length) {
    throw fail.MANIFEST_INVALID(summary(file, diagnostics), {
      diagnostics,
      loc: diagnostics[0]!.loc,
    });
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const loc = { file, line: 1, column: 1 };
    throw fail.ALIAS_LIMIT(`the manifest expands too many YAML aliases (${(e as Error).message.toLowerCase()})`, {
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

/** Where the tag in front of the node starting at `offset` starts (`!!timestamp 2001-…` → its first `!`). */
function tagStart(text: string, offset: number): number {
  let i = text.lastIndexOf('!', offset);
  while (i > 0 && !/[\s[{,]/.test(text[i - 1]!)) i--;
  return Math.max(0, i);
}

function tooDeep(loc: SourceLocation, frame: string): Diagnostic {
  return {
    code: ErrorCode.NESTED_TOO_DEEPLY,
    severity: 'error',
    message: `the manifest is nested too deeply (more than ${MAX_DEPTH} levels of mappings and lists)`,
    loc,
    frame,
    hint: 'a manifest nests a few levels; check that this is the right file, or flatten the data',
  };
}

/** Forbidden keys, explicit tags that are not plain data, numbers JSON cannot carry, and depth. */
function checkNodes(
  doc: Document,
  text: string,
  toLoc: (offset: number) => SourceLocation,
  frame: (l: SourceLocation) => string,
  out: Diagnostic[],
): void {
  const at = (node: Node | null | undefined) => toLoc(node?.range?.[0] ?? 0);
  const push = (d: Omit<Diagnostic, 'severity' | 'frame'> & { loc: SourceLocation }) =>
    out.push({ severity: 'error', frame: frame(d.loc), ...d });
  const walk = (node: unknown, trail: (string | number)[], depth: number): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Node;
    if (depth > MAX_DEPTH) {
      if (!out.some((d) => d.code === ErrorCode.NESTED_TOO_DEEPLY)) out.push(tooDeep(at(n), frame(at(n))));
      return;
    }
    if ((isScalar(n) || isCollection(n)) && n.tag && !PLAIN_TAGS.has(n.tag)) {
      push({
        code: ErrorCode.YAML_SYNTAX,
        message: `unsupported YAML tag ${n.tag.replace(/^tag:yaml\.org,2002:/, '!!')}`,
        path: formatPath(trail),
        // The node starts after its tag: point at the tag itself.
        loc: toLoc(tagStart(text, n.range?.[0] ?? 0)),
        hint: 'a manifest holds plain strings, numbers, booleans, lists and mappings: remove the tag',
      });
      return;
    }
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'number' && !Number.isFinite(v)) {
        push({
          code: ErrorCode.MANIFEST_INVALID,
          message: `${formatPath(trail)} is not a finite number: ${String(n.source ?? v).slice(0, 40)}`,
          path: formatPath(trail),
          loc: at(n),
          hint: 'write a number CloudFormation accepts (no .inf, .nan or exponents past 1e308)',
        });
      } else if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) {
        push({
          code: ErrorCode.MANIFEST_INVALID,
          message: `${formatPath(trail)} is too large a number: ${String(n.source ?? v).slice(0, 40)}`,
          path: formatPath(trail),
          loc: at(n),
          hint: 'integers must stay below 2^53 (and within the limit AWS documents for this setting)',
        });
      }
      return;
    }
    if (isMap(n)) {
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
          push({
            code: ErrorCode.FORBIDDEN_KEY,
            message: `key "${key}" is not allowed in a manifest`,
            path: formatPath([...trail, key]),
            loc: at(pair.key as Node),
            hint: 'rename or remove this key; it could alter object prototypes',
          });
        }
        if (pair.key && !isScalar(pair.key)) walk(pair.key, trail, depth + 1);
        walk(pair.value, key === undefined ? trail : [...trail, key], depth + 1);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, [...trail, i], depth + 1));
    }
  };
  walk(doc.contents, [], 1);
}

function summary(file: string, diagnostics: Diagnostic[]): string {
  const n = diagnostics.length;
  return `${path.basename(file)} has ${n} problem${n === 1 ? '' : 's'}`;
}

export { summary as summarizeDiagnostics };
