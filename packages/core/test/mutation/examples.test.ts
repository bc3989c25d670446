/**
 * Property-based mutation test over the examples (issue 12, done-when): a few hundred manifests made by
 * changing one thing in an example (a value replaced by a hostile one, a key dropped, renamed or
 * added, a YAML tag, deep nesting, text cut or line ends changed) go through `mfinfra compile --out`
 * in-process. For every one:
 *   exit 0  ⇒ the template passes the project's template checks (references, IAM, ingress) and, in CI,
 *             cfn-lint (one batched run over the accepted mutants only);
 *   exit ≠ 0 ⇒ exit 3, one clean error with a position (file:line:column) or a plugin, no stack trace,
 *             at most a few KB of output, and nothing written (no template, no other file changed).
 * fast-check picks the mutations from a seed it prints on failure, so a failing case can be replayed.
 */
import fc from 'fast-check';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { cfnLint, cfnLintAvailable, iamViolations, openIngress } from '../../src/testing.js';
import { exampleTargets } from '../../../../test/helpers/examples.js';
import { runCli } from '../helpers/runCli.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const examplesDir = path.join(repo, 'examples');
// One entry per example, and per environment of examples/environments (compiled with --env).
const targets = exampleTargets(examplesDir);
const examples = targets.map((t) => t.name);
const targetOf = (name: string) => targets.find((t) => t.name === name)!;
/** Cases per run: a few hundred in CI, fewer on a developer's machine (MFINFRA_MUTATIONS overrides). */
const RUNS = Number(process.env.MFINFRA_MUTATIONS ?? (process.env.CI ? 300 : 120));

type Step = string | number;
/** Every path to a value in an example, and its text. */
const examplePaths = new Map<string, { text: string; paths: Step[][] }>();
for (const name of examples) {
  const text = readFileSync(path.join(targetOf(name).dir, 'metaflow.infra.yaml'), 'utf8');
  const paths: Step[][] = [];
  const walk = (node: unknown, at: Step[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        paths.push([...at, key]);
        walk(pair.value, [...at, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        paths.push([...at, i]);
        walk(item, [...at, i]);
      });
    }
  };
  walk(parseDocument(text).contents, []);
  examplePaths.set(name, { text, paths });
}

/** Values a hostile or careless manifest puts where another was. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'toString',
    '__proto__',
    'constructor',
    'aws:x',
    '../../etc/passwd',
    'metaflow.infra.yaml',
    'UPPER-Case',
    'c99',
    'zz9.large',
    'db.t4g.huge',
    '17.99',
    'us-wset-2',
    'a\u0000b',
    'a\nb',
    'a\u0007b',
    '\u202e',
    '💥',
    'x'.repeat(5000),
    'c'.repeat(40_000),
    0,
    -1,
    1,
    0.5,
    2147483647,
    2147483648,
    -2147483649,
    Number.MAX_SAFE_INTEGER,
    true,
    false,
    null,
    [],
    {},
    [null],
    { a: 1 },
  ),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A mutation: a function from the example's text (and its parsed document) to new text. */
type Mutation = { label: string; apply: (text: string, doc: Document, paths: Step[][]) => string };

const pick = <T>(list: T[], i: number): T => list[i % list.length]!;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), hostileValue).map(([i, v]): Mutation => ({
    label: `set value ${JSON.stringify(v)?.slice(0, 40)}`,
    apply: (_t, doc, paths) => {
      const p = pick(paths, i);
      doc.setIn(p, doc.createNode(v));
      return doc.toString({ lineWidth: 0 });
    },
  })),
  fc.nat().map((i): Mutation => ({
    label: 'delete a key or item',
    apply: (_t, doc, paths) => {
      doc.deleteIn(pick(paths, i));
      return doc.toString({ lineWidth: 0 });
    },
  })),
  fc
    .tuple(fc.nat(), fc.constantFrom('typo', 'extra', 'prioritty', 'aws:tag', '__proto__', 'constructor', 'Name'))
    .map(([i, key]): Mutation => ({
      label: `add key ${key}`,
      apply: (_t, doc, paths) => {
        const p = pick(paths, i).slice(0, -1);
        const parent = p.length ? doc.getIn(p, true) : doc.contents;
        if (isMap(parent)) parent.set(doc.createNode(key), doc.createNode('x'));
        return doc.toString({ lineWidth: 0 });
      },
    })),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('!GetAtt X.Y', '!Ref Foo', '!!binary aGk=', '!!timestamp 2001-12-14', '.inf', '.nan', '1e309', '*undefinedAlias'),
    )
    .map(([i, raw]): Mutation => ({
      label: `raw YAML ${raw}`,
      apply: (text, _doc, _paths) => {
        // Put the raw YAML in place of the i-th "key: value" line's value.
        const lines = text.split('\n');
        const candidates = lines.map((l, n) => [l, n] as const).filter(([l]) => /^\s*[A-Za-z]+: [^#\s]/.test(l));
        if (!candidates.length) return text;
        const [line, n] = pick(candidates, i);
        lines[n] = line.replace(/: .*$/, `: ${raw}`);
        return lines.join('\n');
      },
    })),
  fc.tuple(fc.nat(), fc.integer({ min: 50, max: 3000 })).map(([i, depth]): Mutation => ({
    label: `nest ${depth} deep`,
    apply: (text) => {
      const lines = text.split('\n');
      const candidates = lines.map((l, n) => [l, n] as const).filter(([l]) => /^\s*[A-Za-z]+: [^#\s]/.test(l));
      if (!candidates.length) return text;
      const [line, n] = pick(candidates, i);
      lines[n] = line.replace(/: .*$/, `: ${'['.repeat(depth)}${']'.repeat(depth)}`);
      return lines.join('\n');
    },
  })),
  fc.nat().map((i): Mutation => ({ label: 'cut the text', apply: (text) => text.slice(0, i % text.length) })),
  fc.tuple(fc.nat(), fc.constantFrom(':', '"', "'", '[', '{', '\t', '&a ', '*', '- ', '\u0000', '\r')).map(([i, ch]): Mutation => ({
    label: `insert ${JSON.stringify(ch)}`,
    apply: (text) => {
      const at = i % text.length;
      return text.slice(0, at) + ch + text.slice(at);
    },
  })),
  fc.constant<Mutation>({ label: 'CR line ends', apply: (text) => text.replace(/\n/g, '\r') }),
);

const workDirs: string[] = [];
afterAll(() => {
  for (const d of workDirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the example folder (its templates and local plugins), with the mutated manifest. */
function workspace(example: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mfinfra-mutant-${example}-`));
  workDirs.push(dir);
  cpSync(targetOf(example).dir, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
  if (!existsSync(path.join(dir, 'node_modules'))) symlinkSync(path.join(examplesDir, 'node_modules'), path.join(dir, 'node_modules'));
  writeFileSync(path.join(dir, 'metaflow.infra.yaml'), text);
  return dir;
}

function snapshotFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

const accepted: Record<string, string> = {};
const acceptedBodies = new Set<string>();
/** The examples' own templates, as `compile` writes them. */
const originals = new Map<string, string>();
/** At most this many distinct accepted templates go to cfn-lint (about a second each on a loaded machine). */
const MAX_LINTED = Number(process.env.MFINFRA_MUTATIONS_LINTED ?? 25);
const stats = { accepted: 0, refused: 0 };

describe('mutated examples', () => {
  beforeAll(async () => {
    const { compile } = await import('../../src/compile/compile.js');
    for (const t of targets) originals.set(t.name, (await compile({ manifest: t.dir, env: t.env })).body);
  }, 120_000);

  it(`${RUNS} mutants: accepted ones pass the template checks, refused ones give one clean error and write nothing`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...examples), mutation, async (example, m) => {
        const { text, paths } = examplePaths.get(example)!;
        let mutated: string;
        try {
          mutated = m.apply(text, parseDocument(text), paths);
        } catch {
          return; // the mutation does not apply to this example (e.g. setIn through a scalar)
        }
        const dir = workspace(example, mutated);
        const out = path.join(dir, 'compiled.template.json');
        const before = snapshotFiles(dir);
        const env = targetOf(example).env;
        const r = await runCli(['compile', dir, '--out', out, '--format', 'json', ...(env ? ['--env', env] : [])], { isTTY: false });
        const label = `${example}: ${m.label}\n${r.stderr.slice(0, 2000)}`;
        // No stack trace and no "unexpected failure" in any case, and bounded output.
        expect(r.stderr, label).not.toMatch(/^\s+at .*\.[cm]?[jt]s:\d+:\d+\)?$/m);
        expect(r.stderr, label).not.toContain('unexpected failure');
        expect(r.stderr.length, label).toBeLessThan(20_000);
        if (r.code === 0) {
          stats.accepted++;
          const body = readFileSync(out, 'utf8');
          const template = JSON.parse(body) as { Resources: Record<string, unknown> };
          expect(iamViolations(template as never), label).toEqual([]);
          expect(openIngress(template as never), label).toEqual([]);
          // Keep one template per distinct body for the batched cfn-lint run (the unmutated examples'
          // own templates are linted by test/examples.test.ts).
          if (body !== originals.get(example) && !acceptedBodies.has(body)) {
            acceptedBodies.add(body);
            accepted[`${example}: ${m.label}`] = body;
          }
          return;
        }
        stats.refused++;
        // A mutant that renamed or removed the environment compiled is a usage error for that --env.
        if (env && r.code === 2) expect(r.stderr, label).toMatch(/ENVIRONMENT_(UNKNOWN|REQUIRED)/);
        else expect(r.code, label).toBe(3);
        // One error: a position in the manifest, or a named plugin.
        expect(r.stderr, label).toMatch(/metaflow\.infra\.yaml(:\d+:\d+)?|\[[a-z0-9-]+:[a-z0-9-]+/);
        // Nothing written: no template, and every file as it was.
        expect(existsSync(out), label).toBe(false);
        expect(snapshotFiles(dir), label).toEqual(before);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // The mix is meaningful: some mutants are accepted and many are refused.
    expect(stats.refused, JSON.stringify(stats)).toBeGreaterThan(RUNS / 4);
    expect(stats.accepted, JSON.stringify(stats)).toBeGreaterThan(0);
  }, 300_000);

  it.skipIf(!process.env.CI && !cfnLintAvailable())(
    'every accepted mutant passes cfn-lint (one batched run)',
    async () => {
      const names = Object.keys(accepted);
      expect(names.length, 'no accepted mutant differs from its example').toBeGreaterThan(0);
      // Spread over the run when there are more than MAX_LINTED (every k-th, in the order found).
      const step = Math.max(1, Math.ceil(names.length / MAX_LINTED));
      const linted = Object.fromEntries(names.filter((_, i) => i % step === 0).map((n) => [n, accepted[n]!]));
      const findings = await cfnLint(linted);
      const bad = Object.fromEntries(Object.entries(findings).filter(([, f]) => f.length > 0));
      expect(bad).toEqual({});
    },
    300_000,
  );
});
