#!/usr/bin/env node
// `pnpm bench`: cold CLI wall time and peak memory of `mfinfra compile` / `validate` on the largest
// example, against a bare `node -e 0` measured in the same run; plus a scale case showing how compile
// time grows with the resource count (a test plugin generating N resources).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'packages/core/bin/mfinfra.js');
const rssHook = path.join(repo, 'scripts/bench-rss.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-bench-'));

function timeOnce(args) {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function peakKb(args) {
  const file = path.join(tmp, `rss-${Math.random().toString(16).slice(2)}`);
  const r = spawnSync(process.execPath, ['--import', rssHook, ...args], {
    stdio: 'ignore',
    env: { ...process.env, MFINFRA_BENCH_RSS_FILE: file },
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed`);
  return Number(readFileSync(file, 'utf8'));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Interleave the commands so machine noise hits each of them alike. */
function measure(commands) {
  const times = commands.map(() => []);
  for (const c of commands) timeOnce(c.args); // warm the file system cache (and mfinfra's validator cache)
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => times[j].push(timeOnce(c.args)));
  return commands.map((c, j) => ({ name: c.name, ms: median(times[j]), kb: peakKb(c.args) }));
}

// The largest example: the one whose template has the most resources.
const examples = readdirSync(path.join(repo, 'examples')).filter((d) => existsSync(path.join(repo, 'examples', d, 'metaflow.infra.yaml')));
let largest;
for (const ex of examples) {
  const out = path.join(tmp, `${ex}.json`);
  timeOnce([bin, 'compile', path.join(repo, 'examples', ex), '--out', out]);
  const n = Object.keys(JSON.parse(readFileSync(out, 'utf8')).Resources).length;
  if (!largest || n > largest.n) largest = { ex, n };
}
if (!largest) throw new Error('no examples to benchmark');
const manifest = path.join(repo, 'examples', largest.ex);

console.log(`mfinfra benchmark — node ${process.version}, ${os.cpus().length} CPUs, median of ${runs} runs`);
console.log(`largest example: examples/${largest.ex} (${largest.n} resources)\n`);
const base = measure([
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: `mfinfra validate`, args: [bin, 'validate', manifest] },
  { name: `mfinfra compile`, args: [bin, 'compile', manifest, '--out', path.join(tmp, 'out.json')] },
]);
const ref = base[0];
console.log('command              wall (ms)   ratio   peak RSS (MB)');
for (const r of base) {
  console.log(
    `${r.name.padEnd(20)} ${r.ms.toFixed(1).padStart(9)}   ${(r.ms / ref.ms).toFixed(2).padStart(5)}×  ${(r.kb / 1024).toFixed(1).padStart(8)}`,
  );
}
const target = 3;
const worst = Math.max(...base.slice(1).map((r) => r.ms / ref.ms));
console.log(
  `\ntarget: validate and compile within ${target}× node -e 0 → ${worst <= target ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}×)`,
);

// Scale: N generated resources, through the CLI (cold process) and in-process (warm: the compiler
// alone, median of several runs), with a least-squares slope per resource.
const { compile } = await import(path.join(repo, 'packages/core/dist/index.js'));
cpSync(path.join(repo, 'packages/core/test/fixtures/_plugins/many.mjs'), path.join(tmp, 'many.mjs'));
console.log('\nscale (test plugin generating N resources, each depending on the previous):');
console.log('resources   CLI compile, cold (ms)   compile() in-process (ms)   template (KB)');
const points = [];
for (const n of [10, 100, 200, 300, 450]) {
  const dir = path.join(tmp, `scale-${n}`);
  cpSync(path.join(tmp, 'many.mjs'), path.join(dir, 'many.mjs'));
  writeFileSync(
    path.join(dir, 'metaflow.infra.yaml'),
    `version: 1\nstack: { name: scale }\nplugins: [./many.mjs]\nmany: { count: ${n} }\n`,
  );
  const out = path.join(dir, 'out.json');
  const [row] = measure([{ name: String(n), args: [bin, 'compile', dir, '--out', out] }]);
  const warm = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    await compile({ manifest: dir });
    warm.push(performance.now() - t);
  }
  const kb = readFileSync(out).byteLength / 1024;
  points.push({ n, cold: row.ms, warm: median(warm) });
  console.log(
    `${String(n).padStart(9)}   ${row.ms.toFixed(1).padStart(22)}   ${median(warm).toFixed(1).padStart(25)}   ${kb.toFixed(1).padStart(13)}`,
  );
}
const slope = (key) => {
  const mx = points.reduce((a, p) => a + p.n, 0) / points.length;
  const my = points.reduce((a, p) => a + p[key], 0) / points.length;
  return points.reduce((a, p) => a + (p.n - mx) * (p[key] - my), 0) / points.reduce((a, p) => a + (p.n - mx) ** 2, 0);
};
console.log(
  `growth: ${slope('cold').toFixed(3)} ms per resource cold, ${slope('warm').toFixed(3)} ms per resource in-process (linear fit)`,
);
