#!/usr/bin/env node
// `pnpm bench`: cold CLI wall time and peak memory of `mfinfra compile` / `validate` on the largest
// example, against a bare `node -e 0` measured in the same run; `plan --offline` against `compile`
// (interleaved); the time to the first line on the terminal; `plan` of a new stack on a moto server
// against the same API calls made with the bare SDK (scripts/bench-sdk-floor.mjs); plus a scale case
// showing how compile time grows with the resource count (a test plugin generating N resources);
// and `plan --all-envs` of three environments on moto against planning one.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, readFileSync, writeFileSync, cpSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'packages/core/bin/mfinfra.js');
const rssHook = path.join(repo, 'scripts/bench-rss.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-bench-'));

function timeOnce(args, env = {}) {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

/** Milliseconds from spawning the command to the first byte on its stdout or stderr. */
function firstLine(args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let first;
    const mark = () => (first ??= performance.now() - start);
    child.stdout.on('data', mark);
    child.stderr.on('data', mark);
    child.on('error', reject);
    child.on('close', () => (first === undefined ? reject(new Error(`${args.join(' ')} printed nothing`)) : resolve(first)));
  });
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

/** Interleave the commands so machine noise hits each of them alike (`before` runs untimed before each). */
async function measure(commands, { rss = true, n = runs } = {}) {
  const times = commands.map(() => []);
  for (const c of commands) {
    await c.before?.();
    timeOnce(c.args, c.env); // warm the file system cache (and mfinfra's validator cache)
  }
  for (let i = 0; i < n; i++) {
    for (const [j, c] of commands.entries()) {
      await c.before?.();
      times[j].push(timeOnce(c.args, c.env));
    }
  }
  return commands.map((c, j) => ({ name: c.name, ms: median(times[j]), kb: rss ? peakKb(c.args) : 0 }));
}

function table(rows, ref) {
  console.log('command                  wall (ms)   ratio   peak RSS (MB)');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(24)} ${r.ms.toFixed(1).padStart(9)}   ${(r.ms / ref.ms).toFixed(2).padStart(5)}×  ${r.kb ? (r.kb / 1024).toFixed(1).padStart(8) : '       -'}`,
    );
  }
}

// The largest example: the one whose template has the most resources.
// (examples/environments compiles one template per --env: it has a benchmark of its own below.)
const examples = readdirSync(path.join(repo, 'examples')).filter(
  (d) =>
    existsSync(path.join(repo, 'examples', d, 'metaflow.infra.yaml')) &&
    !/^environments:/m.test(readFileSync(path.join(repo, 'examples', d, 'metaflow.infra.yaml'), 'utf8')),
);
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
const base = await measure([
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: `mfinfra validate`, args: [bin, 'validate', manifest] },
  { name: `mfinfra compile`, args: [bin, 'compile', manifest, '--out', path.join(tmp, 'out.json')] },
]);
const ref = base[0];
table(base, ref);
const target = 3;
const worst = Math.max(...base.slice(1).map((r) => r.ms / ref.ms));
console.log(
  `\ntarget: validate and compile within ${target}× node -e 0 → ${worst <= target ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}×)`,
);

// The README's main job: an offline plan of examples/full (first run), against compile of the same.
const full = path.join(repo, 'examples/full');
const offline = await measure([
  { name: 'mfinfra compile', args: [bin, 'compile', full, '--out', path.join(tmp, 'full.json')] },
  { name: 'mfinfra plan --offline', args: [bin, 'plan', '--offline', full] },
]);
console.log('\nexamples/full: plan --offline against compile');
table(offline, offline[0]);
const offlineRatio = offline[1].ms / offline[0].ms;
console.log(`target: plan --offline within 1.5× compile → ${offlineRatio <= 1.5 ? 'met' : 'NOT met'} (${offlineRatio.toFixed(2)}×)`);

// The first line on the terminal (stdout or stderr), for each kind of command.
console.log('\nfirst line printed (ms after spawn, median):');
const firstLines = [
  ['--help', [bin, '--help']],
  ['validate', [bin, 'validate', full]],
  ['compile', [bin, 'compile', full, '--out', path.join(tmp, 'full.json')]],
  ['plan --offline', [bin, 'plan', '--offline', full]],
];
let worstFirst = 0;
for (const [name, args] of firstLines) {
  await firstLine(args);
  const xs = [];
  for (let i = 0; i < Math.max(5, Math.floor(runs / 2)); i++) xs.push(await firstLine(args));
  worstFirst = Math.max(worstFirst, median(xs));
  console.log(`  ${name.padEnd(16)} ${median(xs).toFixed(1).padStart(8)}`);
}
console.log(`target: first line within 500 ms → ${worstFirst <= 500 ? 'met' : 'NOT met'} (worst ${worstFirst.toFixed(1)} ms)`);

// `plan` of a new stack on a moto server (reset before every run, so the stack is always new),
// against the bare-SDK floor making the same calls. Skipped when moto is not installed.
const motoOk = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
if (!motoOk) {
  console.log('\nplan on moto: skipped (python3 -m moto.server not available)');
} else {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const endpoint = `http://127.0.0.1:${port}`;
  const moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      try {
        await (await fetch(`${endpoint}/moto-api/`)).arrayBuffer();
        break;
      } catch {
        if (i > 200) throw new Error('moto did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const reset = async () => void (await (await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).arrayBuffer());
    // The largest example whose template CloudFormation takes inline (no S3 staging in the way).
    let pick;
    for (const ex of examples) {
      const out = path.join(tmp, `${ex}.json`);
      const size = readFileSync(out).byteLength;
      const n = Object.keys(JSON.parse(readFileSync(out, 'utf8')).Resources).length;
      if (size <= 51_200 && (!pick || n > pick.n)) pick = { ex, n, out };
    }
    const stack = JSON.parse(
      spawnSync(process.execPath, [bin, 'plan', '--offline', path.join(repo, 'examples', pick.ex), '--json'], { encoding: 'utf8' }).stdout,
    ).preview.stackName;
    const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' };
    const online = await measure(
      [
        { name: 'bare SDK (floor)', args: [path.join(repo, 'scripts/bench-sdk-floor.mjs'), pick.out, stack, endpoint], env, before: reset },
        { name: 'mfinfra plan', args: [bin, 'plan', path.join(repo, 'examples', pick.ex), '--endpoint-url', endpoint], env, before: reset },
      ],
      { rss: false, n: Math.min(runs, 8) },
    );
    console.log(`\nplan of a new stack on moto: examples/${pick.ex} (${pick.n} resources)`);
    table(online, online[0]);
    const budget = online[0].ms + offline[0].ms + 300;
    console.log(
      `target: plan within floor + compile + 300 ms (${budget.toFixed(0)} ms) → ${online[1].ms <= budget ? 'met' : 'NOT met'} (${online[1].ms.toFixed(0)} ms)`,
    );

    // `plan --all-envs` of three environments (three stacks in three regions) against planning one
    // of them (--env), interleaved, moto reset before each run.
    const envsDir = path.join(tmp, 'environments');
    cpSync(path.join(repo, 'examples', 'datastore-batch'), envsDir, { recursive: true });
    writeFileSync(
      path.join(envsDir, 'metaflow.infra.yaml'),
      readFileSync(path.join(repo, 'examples', 'datastore-batch', 'metaflow.infra.yaml'), 'utf8') +
        '\nenvironments:\n' +
        [
          ['dev', 'us-west-2'],
          ['staging', 'us-east-2'],
          ['prod', 'us-east-1'],
        ]
          .map(([name, region]) => `  ${name}:\n    stack: { name: metaflow-${name}, region: ${region} }\n`)
          .join(''),
    );
    symlinkSync(path.join(repo, 'examples', 'node_modules'), path.join(envsDir, 'node_modules'), 'dir');
    const allEnvs = await measure(
      [
        { name: 'plan --env dev', args: [bin, 'plan', envsDir, '--env', 'dev', '--endpoint-url', endpoint], env, before: reset },
        { name: 'plan --all-envs (3)', args: [bin, 'plan', envsDir, '--all-envs', '--endpoint-url', endpoint], env, before: reset },
      ],
      { rss: false, n: Math.min(runs, 8) },
    );
    console.log('\nplan --all-envs of three environments on moto against planning one (interleaved)');
    table(allEnvs, allEnvs[0]);
    const envRatio = allEnvs[1].ms / allEnvs[0].ms;
    console.log(`target: plan --all-envs of 3 within 1.5× plan of 1 → ${envRatio <= 1.5 ? 'met' : 'NOT met'} (${envRatio.toFixed(2)}×)`);
  } finally {
    moto.kill();
  }
}

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
  const [row] = await measure([{ name: String(n), args: [bin, 'compile', dir, '--out', out] }]);
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
