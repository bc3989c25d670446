/**
 * `mfinfra plan --offline` as a use-case: a prediction from the templates, no AWS account (the
 * compiled template against the last applied one, or a file); and what the safety gates say about a
 * plan (online or offline).
 */
import type { CompileResult } from '../compile/compile.js';
import { ExitCode, fail } from '../errors.js';
import { evaluateGates, type GateOptions, type GateResult } from '../preview/gates.js';
import type { PreviewModel } from '../preview/model.js';
import { compileTarget, type ActionRun, type ActionTarget } from './target.js';

export interface PlanOfflineOptions {
  /** Compare with this template file (JSON or YAML) instead of the local applied state. */
  against?: string;
}

export interface OfflinePlan {
  compiled: CompileResult;
  preview: PreviewModel;
  /** What the compiled template was compared with (undefined: nothing; every resource is added). */
  comparedWith?: string;
}

/**
 * `mfinfra plan --offline`: compile, compare with the last applied template (local state,
 * `.mfinfra/state/<stack>.json`) or `against`; no AWS account.
 */
export async function planOffline(target: ActionTarget & PlanOfflineOptions, run: ActionRun = {}): Promise<OfflinePlan> {
  const path = await import('node:path');
  const compiled = await compileTarget(target, run.io);
  const cwd = target.cwd ?? process.cwd();
  const manifestDir = path.dirname(compiled.file);
  let oldTemplate: object | undefined;
  let comparedWith: string | undefined;
  if (target.against) {
    oldTemplate = await readAgainst(path.resolve(cwd, target.against), target.against);
    comparedWith = target.against;
  } else {
    const { readAppliedState, stateFilePath } = await import('../state/localState.js');
    const state = await readAppliedState(manifestDir, compiled.stackName, compiled.environment);
    if (state) {
      oldTemplate = state.template;
      comparedWith = `the template applied at ${state.appliedAt} (${path.relative(cwd, stateFilePath(manifestDir, compiled.stackName, compiled.environment)) || '.'})`;
    }
  }
  const { previewFromTemplates } = await import('../preview/fromTemplates.js');
  const preview = previewFromTemplates({
    stackName: compiled.stackName,
    oldTemplate,
    newTemplate: compiled.template,
    resourceOwners: compiled.resourceOwners,
    comparedWith,
  });
  return { compiled, preview, ...(comparedWith ? { comparedWith } : {}) };
}

/** A template file to compare with (`--against`): JSON or YAML with a Resources section. */
async function readAgainst(file: string, shown: string): Promise<object> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw fail.FILE_UNREADABLE(`cannot read --against ${shown}: ${(e as Error).message}`, {
      hint: 'pass a CloudFormation template (JSON or YAML), e.g. one written by `mfinfra compile --out`',
      kind: 'usage',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      const { parse } = await import('yaml');
      value = parse(text, { logLevel: 'silent', customTags: (tags) => tags });
    } catch (e) {
      throw fail.TEMPLATE_INVALID(`--against ${shown} is neither JSON nor YAML: ${(e as Error).message}`, { kind: 'usage' });
    }
  }
  if (!value || typeof value !== 'object' || typeof (value as { Resources?: unknown }).Resources !== 'object') {
    throw fail.TEMPLATE_INVALID(`--against ${shown} is not a CloudFormation template (no Resources section)`, {
      hint: 'pass a template file, e.g. one written by `mfinfra compile --out`',
      kind: 'usage',
    });
  }
  return value as object;
}

export interface PlanVerdict {
  gates: GateResult;
  /** The exit code: ExitCode.OK, or ExitCode.BLOCKED when a gate refuses. */
  exit: number;
  /**
   * The change needs approval, which `apply` will ask for (a plan changes nothing, so approval is
   * apply's question: a plan blocks only on what no approval can pass).
   */
  approvalDeferred: boolean;
}

/**
 * What the safety gates say about a plan's preview. A plan changes nothing, so approval (for
 * broadening access) is apply's question: a plan reports that it will be asked, and blocks only on
 * what no approval can pass (stateful replacement without --allow-replace). CI reads the need for
 * approval from --json (gates.approvalRequired).
 */
export function planVerdict(preview: PreviewModel, options: Partial<Omit<GateOptions, 'approved'>> & { yes?: boolean } = {}): PlanVerdict {
  const gateOptions = { allowReplace: [], requireApproval: 'broadening' as const, ...options };
  let gates = evaluateGates(preview, { ...gateOptions, approved: options.yes === true });
  const approvalDeferred = gates.approvable;
  if (approvalDeferred) gates = evaluateGates(preview, { ...gateOptions, approved: true });
  return { gates, exit: gates.ok ? ExitCode.OK : ExitCode.BLOCKED, approvalDeferred };
}
