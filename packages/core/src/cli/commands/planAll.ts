/**
 * `mfinfra plan --all-envs`: every environment of the manifest planned at once, a bounded number at a
 * time. Each environment runs the ordinary `plan` with an output and exit code of its own; the
 * previews are printed afterwards in the order of the manifest (Markdown: one document, a section per
 * environment), and the run exits with the worst environment's code.
 */
import { ExitCode } from '../../index.js';
import { cli, withRuntime, type CliRuntime } from '../context.js';
import { paint } from '../io.js';
import { exitCodeOf, renderError } from '../renderError.js';

/** Exit codes from best to worst: which one a run of several environments ends with. */
const SEVERITY: number[] = [
  ExitCode.OK,
  ExitCode.CHANGES_PENDING,
  ExitCode.BLOCKED,
  ExitCode.INVALID,
  ExitCode.USAGE,
  ExitCode.FAILURE,
  ExitCode.ABORTED,
];

/** The worst of several exit codes (an unknown code counts as a failure). */
export function worstExitCode(codes: readonly number[]): number {
  const rank = (c: number) => (SEVERITY.includes(c) ? SEVERITY.indexOf(c) : SEVERITY.indexOf(ExitCode.FAILURE));
  return codes.reduce((worst, c) => (rank(c) > rank(worst) ? c : worst), ExitCode.OK as number);
}

interface Captured {
  env: string | undefined;
  /** stdout and stderr, in the order written. */
  lines: { to: 'out' | 'err'; text: string }[];
  exitCode: number;
  ms: number;
}

export interface AllEnvsArgs {
  manifest?: string;
  cwd?: string;
  json: boolean;
  debug: boolean;
  format: 'terminal' | 'markdown' | 'json';
  concurrency?: number;
}

/**
 * Plan every environment with `planOne(env)` (the ordinary plan handler for that --env), each with
 * its own output, and print them in order. Returns nothing; sets the run's exit code.
 */
export async function planAllEnvironments(argv: AllEnvsArgs, planOne: (env: string | undefined) => Promise<void>): Promise<void> {
  const parent = cli();
  const { io } = parent;
  const c = paint(io.color);
  const json = argv.json || argv.format === 'json';
  const { manifestEnvironments, mapWithLimit, ENVIRONMENT_CONCURRENCY } = await import('../../index.js');
  const envs = await manifestEnvironments({ manifest: argv.manifest, cwd: argv.cwd });
  const label = (env: string | undefined) => env ?? 'the manifest';
  if (!json) io.err(c.dim(`planning ${envs.length} environment${envs.length === 1 ? '' : 's'}: ${envs.map(label).join(', ')}`));

  // One Markdown document for all environments: each plan's own append to the step summary is held back.
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  delete process.env.GITHUB_STEP_SUMMARY;
  let results: Captured[];
  try {
    results = await mapWithLimit(envs, argv.concurrency ?? ENVIRONMENT_CONCURRENCY, async (env) => {
      const captured: Captured = { env, lines: [], exitCode: ExitCode.OK, ms: 0 };
      const started = Date.now();
      const runtime: CliRuntime = {
        // Previews and messages are kept for the ordered print; no live status line (several run at once).
        io: {
          out: (t) => captured.lines.push({ to: 'out', text: t }),
          err: (t) => captured.lines.push({ to: 'err', text: t }),
          // Markdown quotes what a plan said as text: no colour codes in it.
          color: io.color && argv.format !== 'markdown',
          isTTY: io.isTTY,
        },
        setExitCode: (code) => (captured.exitCode = code),
      };
      try {
        await withRuntime(runtime, () => planOne(env));
      } catch (e) {
        captured.exitCode = exitCodeOf(e);
        if (json) captured.lines.push({ to: 'out', text: JSON.stringify({ ok: false, error: errorJson(e) }) });
        else
          captured.lines.push({
            to: 'err',
            text: renderError(e, { color: io.color && argv.format !== 'markdown', debug: argv.debug, cwd: argv.cwd }),
          });
      }
      captured.ms = Date.now() - started;
      if (!json) {
        const mark = captured.exitCode === ExitCode.OK || captured.exitCode === ExitCode.CHANGES_PENDING ? c.green('✓') : c.red('✗');
        io.err(`${mark} ${label(env)}: planned in ${(captured.ms / 1000).toFixed(1)} s (exit ${captured.exitCode})`);
      }
      return captured;
    });
  } finally {
    if (summaryFile !== undefined) process.env.GITHUB_STEP_SUMMARY = summaryFile;
  }
  const exitCode = worstExitCode(results.map((r) => r.exitCode));

  if (json) {
    io.out(
      JSON.stringify(
        {
          ok: exitCode === ExitCode.OK || exitCode === ExitCode.CHANGES_PENDING,
          exitCode,
          environments: results.map((r) => ({ environment: r.env ?? null, exitCode: r.exitCode, result: parseJson(r) })),
        },
        null,
        2,
      ),
    );
  } else if (argv.format === 'markdown') {
    const doc = markdownDocument(results);
    io.out(doc);
    for (const r of results) for (const l of r.lines) if (l.to === 'err') io.err(`[${label(r.env)}] ${l.text}`);
    if (summaryFile) {
      const { appendFile } = await import('node:fs/promises');
      await appendFile(summaryFile, doc + '\n').catch((e: Error) => io.err(`warning: cannot append to $GITHUB_STEP_SUMMARY: ${e.message}`));
    }
  } else {
    for (const r of results) {
      io.out(c.bold(`\n━━ environment ${label(r.env)} ━━`));
      for (const l of r.lines) (l.to === 'out' ? io.out : io.err)(l.text);
    }
  }
  if (!json) {
    io.err(
      c.bold(`\n${results.length} environment${results.length === 1 ? '' : 's'} planned: `) +
        results.map((r) => `${label(r.env)} exit ${r.exitCode}`).join(', ') +
        ` → exit ${exitCode}`,
    );
  }
  if (exitCode !== ExitCode.OK) parent.setExitCode(exitCode);
}

/** `# mfinfra plan: 2 environments`, a summary table, then `## Environment dev` with its preview, … */
function markdownDocument(results: Captured[]): string {
  const label = (env: string | undefined) => env ?? 'the manifest';
  const verdict = (code: number) =>
    code === ExitCode.OK
      ? 'ok'
      : code === ExitCode.CHANGES_PENDING
        ? 'changes pending'
        : code === ExitCode.BLOCKED
          ? '⛔ refused by a safety gate'
          : `❌ failed (exit ${code})`;
  const out = [
    `# mfinfra plan: ${results.length} environment${results.length === 1 ? '' : 's'}`,
    '',
    '| Environment | Result |',
    '|---|---|',
    ...results.map((r) => `| \`${label(r.env)}\` | ${verdict(r.exitCode)} |`),
  ];
  for (const r of results) {
    out.push('', `## Environment \`${label(r.env)}\``, '');
    const body = r.lines.filter((l) => l.to === 'out').map((l) => l.text.replace(/\n$/, ''));
    if (body.length) out.push(...body);
    else {
      // No preview (nothing to deploy, or an error): what the plan said, as text.
      const said = r.lines.map((l) => l.text.replace(/\n$/, '')).join('\n');
      out.push('```', said || '(no output)', '```');
    }
  }
  return out.join('\n');
}

function parseJson(r: Captured): unknown {
  const text = r.lines
    .filter((l) => l.to === 'out')
    .map((l) => l.text)
    .join('\n');
  try {
    return JSON.parse(text);
  } catch {
    return { output: text };
  }
}

function errorJson(e: unknown): unknown {
  if (e && typeof e === 'object' && 'toJSON' in e && typeof (e as { toJSON: unknown }).toJSON === 'function') {
    return (e as { toJSON(): unknown }).toJSON();
  }
  return { code: 'UNEXPECTED', message: e instanceof Error ? e.message : String(e) };
}
