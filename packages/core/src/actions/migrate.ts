/**
 * `mfinfra migrate --from-stack OLD`: move a deployment of the official Metaflow template under the
 * manifest's stack (written by `mfinfra init --from-stack OLD`) without losing data, in five steps:
 *
 * 1. `retain`     an update of the old stack that only sets DeletionPolicy Retain on what holds data
 *                 (Snapshot on the RDS instance), previewed as a change set;
 * 2. `snapshot`   a manual snapshot of the old metadata database (the new stack's database is a new,
 *                 encrypted one; docs/migrate.md carries the run history over from this snapshot);
 * 3. `delete-old` the old stack is deleted, keeping what step 1 retained; refused while anything in it
 *                 that holds data would go;
 * 4. `import`     the datastore bucket and the DynamoDB table are imported into the new stack (an IMPORT
 *                 change set; the sysroot is unchanged, so flows and artifacts stay readable);
 * 5. `apply`      everything else is created, the imported resources get mfinfra's settings, and the
 *                 new Metaflow config is written (an ordinary `mfinfra apply`, with its preview and gates).
 *
 * Each step is shown and needs a yes; each one done is recorded in
 * `.mfinfra/state/<stack>.migration.json` (atomically), so a run after a failure or a "no" carries on
 * from the first step not done. Nothing prints: each step goes to the context's IoHost as
 * MIGRATION_STEP_REVIEW, then the question CONFIRM_MIGRATION_STEP (unless `yes`; never when a safety
 * gate refuses the step), and progress as the deploy steps' own messages.
 */
import path from 'node:path';
import type { CompileResult } from '../compile/compile.js';
import { ErrorCode, fail, MfinfraError } from '../errors.js';
import { importClientsOf, type ImportClients } from '../deploy/importLive.js';
import { abortedError, pollOptionsOf } from '../deploy/poll.js';
import { describeStack } from '../deploy/stackState.js';
import type { DeployContext } from '../deploy/context.js';
import type { ApplyDeployOptions } from './apply.js';
import { notify, request, type IoHost, type IoRequest, type IoRequestCode, type IoResponse } from '../iohost/messages.js';
import { IMPORTED_AS, OFFICIAL_STATEFUL, assertOfficialStack, readDeployedStack } from '../init/fromStack.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { hostOf, reportStep } from '../deploy/report.js';

import { MIGRATION_STEPS, type MigrationReview, type MigrationStep } from './migrationSteps.js';

export type { MigrationReview } from './migrationSteps.js';

export { MIGRATION_STEPS, type MigrationStep };

export interface MigrationState {
  version: 1;
  from: string;
  to: string;
  region: string;
  startedAt: string;
  /** What the old stack held, read once (before it is deleted). */
  resources: {
    bucket: string;
    table: string;
    dbInstance?: string;
    /** old logical id → physical id, for everything the migration keeps */
    kept: Record<string, string>;
  };
  steps: Partial<Record<MigrationStep, { doneAt: string; detail?: string }>>;
}

export interface MigrateOptions {
  from: string;
  /** Run only this step (the ones before it must be done). Default: every step not done yet, in order. */
  only?: MigrationStep;
  /** Passed to step 5's apply (template bucket, gates, config outputs...). */
  apply?: ApplyDeployOptions;
  /** The user said yes up front (`--yes`): no step is asked (CONFIRM_MIGRATION_STEP), nor CONFIRM_RECREATE. */
  yes?: boolean;
}

export interface MigrateResult {
  stateFile: string;
  state: MigrationState;
  /** The steps this run did (the others were done before, or not asked for). */
  ran: MigrationStep[];
  /** The config files step 5 wrote. */
  configFiles?: string[];
}

export function migrationStatePath(manifestDir: string, stackName: string): string {
  return path.join(manifestDir, '.mfinfra', 'state', `${stackName}.migration.json`);
}

async function readState(file: string): Promise<MigrationState | undefined> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const unreadable = (why: string) =>
    fail.MIGRATION_STEP(`the migration state ${file} is unreadable: ${why}`, {
      hint: 'restore it from a backup; without it, re-running can only start over while the old stack still exists',
    });
  let state: MigrationState;
  try {
    state = JSON.parse(text) as MigrationState;
  } catch (e) {
    throw unreadable((e as Error).message);
  }
  if (state?.version !== 1 || !state.from || !state.resources?.bucket) throw unreadable('missing fields');
  return state;
}

async function saveState(file: string, state: MigrationState): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n', { createDirs: true });
}

function declined(step: MigrationStep, what: string): MfinfraError {
  return abortedError(`migration stopped before step ${step}: ${what}; run mfinfra migrate again to carry on`);
}

/**
 * Run every step not done yet (or `options.only`), each shown and confirmed through the context's
 * IoHost. The old stack's resources are read with `clients` (default: made from the context's).
 */
export async function migrate(
  compiled: CompileResult,
  ctx: DeployContext,
  options: MigrateOptions,
  clients: ImportClients = importClientsOf(ctx.clients),
): Promise<MigrateResult> {
  const manifestDir = path.dirname(compiled.file);
  const to = compiled.stackName;
  const file = migrationStatePath(manifestDir, to);
  const poll = pollOptionsOf(ctx);
  const cfn = ctx.clients.cloudFormation;
  let state = await readState(file);
  if (state && state.from !== options.from) {
    throw fail.MIGRATION_STEP(`${file} records a migration from ${state.from}, not ${options.from}`, {
      hint: `finish that one (mfinfra migrate --from-stack ${state.from}) or move the file away`,
      kind: 'usage',
    });
  }
  if (!state) {
    const old = await readDeployedStack(cfn, options.from, ctx.clients.region, poll);
    assertOfficialStack(old);
    const kept: Record<string, string> = {};
    for (const id of Object.keys(OFFICIAL_STATEFUL)) {
      const pid = old.resources[id]?.physicalId;
      if (pid) kept[id] = pid;
    }
    state = {
      version: 1,
      from: options.from,
      to,
      region: ctx.clients.region,
      startedAt: (ctx.now?.() ?? new Date()).toISOString(),
      resources: {
        bucket: old.resources.MetaflowS3Bucket!.physicalId!,
        table: old.resources.StepFunctionsStateDDB!.physicalId!,
        ...(old.resources.RDSMasterInstance?.physicalId ? { dbInstance: old.resources.RDSMasterInstance.physicalId } : {}),
        kept,
      },
      steps: {},
    };
    await saveState(file, state);
  }
  const s = state;
  const steps = options.only ? [options.only] : MIGRATION_STEPS.filter((step) => !s.steps[step]);
  if (options.only) {
    const missing = MIGRATION_STEPS.slice(0, MIGRATION_STEPS.indexOf(options.only)).filter((step) => !s.steps[step]);
    if (missing.length) {
      throw fail.MIGRATION_STEP(`step ${options.only} needs step ${missing[0]} first`, {
        hint: `run mfinfra migrate --from-stack ${s.from} (every step not done, in order)`,
        kind: 'usage',
      });
    }
  }
  const host = hostOf(ctx);
  /** MIGRATION_STEP_REVIEW, then CONFIRM_MIGRATION_STEP: a refused gate is a no without a question, `yes` a yes. */
  const review = async (r: MigrationReview): Promise<boolean> => {
    const step = { ...r, number: MIGRATION_STEPS.indexOf(r.step) + 1, of: MIGRATION_STEPS.length };
    notify(host, 'MIGRATION_STEP_REVIEW', `step ${step.number}/${step.of} ${r.step}: ${r.title}`, { ...step, yes: options.yes === true });
    if (r.gates && !r.gates.ok && !r.gates.approvable) return false;
    return options.yes === true || request(host, 'CONFIRM_MIGRATION_STEP', `Run step ${r.step}?`, step, false);
  };
  const ran: MigrationStep[] = [];
  let configFiles: string[] | undefined;
  const done = async (step: MigrationStep, detail?: string) => {
    s.steps[step] = { doneAt: new Date().toISOString(), ...(detail ? { detail } : {}) };
    await saveState(file, s);
    ran.push(step);
  };
  for (const step of steps) {
    switch (step) {
      case 'retain': {
        const old = await describeStack(cfn, s.from, poll);
        if (!old) {
          throw fail.MIGRATION_STEP(`stack ${s.from} no longer exists, but its retain step was never recorded`, {
            hint: 'check what was kept by hand (see docs/migrate.md) before going on',
          });
        }
        const policies = Object.fromEntries(
          Object.entries(OFFICIAL_STATEFUL).map(([id, what]) => [id, what === 'snapshot' ? ('Snapshot' as const) : ('Retain' as const)]),
        );
        const { planRetainUpdate, executeRetainUpdate, discardRetainUpdate } = await import('../deploy/migrateOld.js');
        const update = await planRetainUpdate(ctx, old, policies);
        if (!update) {
          await done('retain', 'the policies were already set');
          break;
        }
        const { previewFromChangeSet } = await import('../preview/fromChangeSet.js');
        const { parseTemplateBody, getDeployedTemplate } = await import('../deploy/plan.js');
        const preview = previewFromChangeSet({
          stackName: s.from,
          changes: update.changes,
          oldTemplate: await getDeployedTemplate(cfn, update.stackId, poll),
          newTemplate: (await parseTemplateBody(update.body)) ?? {},
        });
        const go = await review({
          step,
          title: `update ${s.from}: keep what holds data when the stack is deleted (DeletionPolicy only; nothing else changes)`,
          lines: Object.entries(policies)
            .filter(([id]) => s.resources.kept[id])
            .map(([id, policy]) => `${id} (${s.resources.kept[id]}): DeletionPolicy ${policy}`),
          preview,
        });
        if (!go) {
          await discardRetainUpdate(ctx, s.from, update);
          throw declined(step, `nothing changed; the change set was deleted`);
        }
        await executeRetainUpdate(ctx, s.from, update);
        await done('retain', update.changeSetName);
        break;
      }
      case 'snapshot': {
        const db = s.resources.dbInstance;
        if (!db) {
          await done('snapshot', 'no database');
          break;
        }
        const snapshotId = `mfinfra-migrate-${db}`
          .replace(/[^A-Za-z0-9-]/g, '-')
          .replace(/-+/g, '-')
          .slice(0, 255);
        const go = await review({
          step,
          title: `take a manual snapshot ${snapshotId} of the metadata database ${db} (kept until you delete it)`,
          lines: [
            'the new stack creates a new, encrypted database; this snapshot holds the run history of the old one (docs/migrate.md restores it)',
          ],
        });
        if (!go) throw declined(step, 'no snapshot was taken');
        const { snapshotDatabase } = await import('../deploy/migrateOld.js');
        reportStep(ctx, { step: 'snapshot', message: `creating snapshot ${snapshotId} of ${db} and waiting until it is available` });
        await snapshotDatabase(clients.rds, db, snapshotId, poll);
        await done('snapshot', snapshotId);
        break;
      }
      case 'delete-old': {
        const { planDestroy, assertDeletable, executeDestroy } = await import('../deploy/destroy.js');
        const plan = await planDestroy(s.from, ctx);
        if (!plan.stackId) {
          await done('delete-old', 'the stack was already gone');
          break;
        }
        assertDeletable(plan);
        const { assertKeepsData } = await import('../deploy/migrateOld.js');
        const snapshot = s.steps.snapshot?.detail;
        assertKeepsData(plan, {
          dbLogicalId: 'RDSMasterInstance',
          snapshotId: snapshot && snapshot !== 'no database' ? snapshot : undefined,
        });
        const kept = plan.resources.filter((r) => r.outcome === 'retain');
        const deleted = plan.resources.filter((r) => r.outcome !== 'retain');
        const go = await review({
          step,
          title: `delete stack ${s.from}: ${deleted.length} resources deleted, ${kept.length} kept`,
          lines: [
            ...kept.map((r) => `kept     ${r.logicalId} ${r.resourceType} ${r.physicalId ?? ''}`.trimEnd()),
            ...deleted.map(
              (r) =>
                `${r.outcome === 'snapshot' ? 'snapshot' : 'deleted '} ${r.logicalId} ${r.resourceType}${r.outcome === 'snapshot' ? ` (a final snapshot; the manual snapshot ${snapshot} is kept too)` : ''}`,
            ),
          ],
        });
        if (!go) throw declined(step, `stack ${s.from} was not deleted`);
        await executeDestroy(plan, ctx);
        await done('delete-old');
        break;
      }
      case 'import': {
        const stack = await describeStack(cfn, to, poll);
        const imports = [
          { logicalId: IMPORTED_AS.MetaflowS3Bucket!, physicalId: s.resources.bucket },
          { logicalId: IMPORTED_AS.StepFunctionsStateDDB!, physicalId: s.resources.table },
        ];
        if (stack && stack.StackStatus !== 'REVIEW_IN_PROGRESS') {
          const { getDeployedTemplate } = await import('../deploy/plan.js');
          const deployed = (await getDeployedTemplate(cfn, stack.StackId ?? to, poll)) as
            { Resources?: Record<string, unknown> } | undefined;
          if (imports.every((i) => deployed?.Resources?.[i.logicalId])) {
            await done('import', 'already in the stack');
            break;
          }
        }
        const { adopt } = await import('./adopt.js');
        // adopt's own review is this step's: its IMPORT_REVIEW is not passed on, its CONFIRM_IMPORT is this step's question.
        const importing: IoHost = {
          notify: (m) => {
            if (m.code !== 'IMPORT_REVIEW') host.notify(m);
          },
          request: async <C extends IoRequestCode>(q: IoRequest<C>): Promise<IoResponse<C>> => {
            if (q.code !== 'CONFIRM_IMPORT') return host.request(q);
            const { plan, preview } = (q as IoRequest<'CONFIRM_IMPORT'>).data;
            const deferred = plan.imports.flatMap((i) =>
              i.deferred.map((d) => `${i.logicalId}.${d.property}: set by step apply (now ${JSON.stringify(d.live) ?? 'not set'})`),
            );
            return review({
              step,
              title: `import the bucket ${s.resources.bucket} and the table ${s.resources.table} into stack ${to}`,
              lines: deferred.length ? ['imported as they are; step apply then changes (previewed there):', ...deferred] : [],
              preview,
            }) as Promise<IoResponse<C>>;
          },
        };
        await adopt(compiled, { ...ctx, io: importing }, { imports, updateAfterImport: true }, clients).catch((e) => {
          if (MfinfraError.is(e) && e.code === ErrorCode.ABORTED && /nothing was imported/.test(e.message)) throw declined(step, e.message);
          throw e;
        });
        await done('import');
        break;
      }
      case 'apply': {
        const { applyDeploy } = await import('./apply.js');
        // This step's review answers apply's CONFIRM_DEPLOY (asked even with --yes, as every step is);
        // --yes still answers CONFIRM_RECREATE.
        const { yes: applyYes, ...applyOptions } = options.apply ?? {};
        const yes = applyYes === true || options.yes === true;
        const io = host;
        const reviewing: IoHost = {
          notify: (m) => io.notify(m),
          request: async <C extends IoRequestCode>(q: IoRequest<C>): Promise<IoResponse<C>> => {
            if (q.code === 'CONFIRM_DEPLOY') {
              const { preview, gates } = (q as IoRequest<'CONFIRM_DEPLOY'>).data;
              return review({
                step,
                title: `apply the manifest to ${to}: create the rest of the deployment and write the new Metaflow config`,
                lines: [],
                preview,
                gates,
              });
            }
            if (q.code === 'CONFIRM_RECREATE' && yes) return true;
            return io.request(q);
          },
        };
        const out = await applyDeploy(compiled, { ...ctx, io: reviewing }, applyOptions);
        configFiles = out.outputs?.files.map((f) => f.path);
        await done('apply', out.result.finalStatus ?? out.result.status);
        break;
      }
    }
  }
  return { stateFile: file, state: s, ran, ...(configFiles ? { configFiles } : {}) };
}
