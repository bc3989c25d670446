import type { Argv, CommandModule } from 'yargs';
import type { AwsClients } from '../../aws/clients.js';
import type { CompileResult } from '../../compile/compile.js';
import type { EventProgress, StackEventLine } from '../../deploy/events.js';
import type { DeployContext, DeployHooks } from '../../deploy/types.js';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import type { ProgressDisplay } from '../progress.js';
import { renderWarnings } from '../renderError.js';
import { withPreviewOptions, type PreviewArgs } from './plan.js';
import { withManifest } from './shared.js';

/** Flags every command that talks to AWS takes. */
export interface AwsArgs extends GlobalArgs {
  manifest?: string;
  profile?: string;
  region?: string;
  'endpoint-url'?: string;
  'template-bucket'?: string;
  'wait-for-busy': boolean;
}

export function withAwsOptions<T>(y: Argv<T>) {
  return withManifest(y)
    .option('profile', {
      type: 'string',
      describe: "AWS profile (shared config / SSO); default: the manifest's stack.profile, else the SDK credential chain",
    })
    .option('region', { type: 'string', describe: "AWS region (default: the manifest's stack.region, then AWS_REGION)" })
    .option('endpoint-url', {
      type: 'string',
      describe: 'send AWS calls here (LocalStack, moto); AWS_ENDPOINT_URL[_CLOUDFORMATION] also work',
    })
    .option('template-bucket', {
      type: 'string',
      describe:
        "S3 bucket for templates over 51,200 bytes minified (default: stack.templateBucket, else mfinfra's managed mfinfra-templates-<account>-<region>; created private and encrypted if missing)",
    })
    .option('wait-for-busy', {
      type: 'boolean',
      default: false,
      describe: 'wait for a running stack operation to finish instead of refusing',
    });
}

/** Compile the manifest and make the AWS clients it deploys with. */
export async function compileForDeploy(argv: AwsArgs): Promise<{ compiled: CompileResult; clients: AwsClients }> {
  const { compile } = await import('../../compile/compile.js');
  const compiled = await compile({ manifest: argv.manifest, cwd: argv.cwd, env: argv.env });
  const { io } = cli();
  if (compiled.warnings.length && !argv.json) io.err(renderWarnings(compiled.warnings, io.color));
  const { createAwsClients } = await import('../../aws/clients.js');
  const profile = argv.profile ?? compiled.manifest.stack.profile;
  const clients = createAwsClients({ region: argv.region ?? compiled.region, profile, endpointUrl: argv['endpoint-url'] });
  // The SDK's notices are about its own future (e.g. Node.js support), not this run: only under --debug.
  if (argv.debug) for (const notice of clients.notices) io.err(paint(io.color).dim(`note: ${notice}`));
  // A pinned account is checked (STS) before any other AWS call.
  const { assertAccount } = await import('../../environments/accountGuard.js');
  await assertAccount(clients.accountId, {
    account: compiled.manifest.stack.account,
    profile,
    stackName: compiled.stackName,
    environment: compiled.environment,
  });
  return { compiled, clients };
}

/**
 * A deploy context whose progress goes to stderr (stdout stays for --json), and whose signal fires on
 * Ctrl-C. It keeps every stack event it shows in `events` (for --json). Call `dispose()` when done.
 */
export async function cliDeployContext(
  clients: AwsClients,
  options: { confirm?: DeployHooks['confirm'] } = {},
): Promise<
  DeployContext & { events: (StackEventLine & EventProgress)[]; progress: ProgressDisplay; dispose(): void; interrupted(): boolean }
> {
  const { formatEvent } = await import('../../deploy/render.js');
  const { io } = cli();
  const c = paint(io.color);
  const controller = new AbortController();
  const onSigint = () => {
    if (!controller.signal.aborted) {
      io.err(c.yellow('interrupted: no further change is sent to AWS; cleaning up what this run made (Ctrl-C again to quit at once)'));
      controller.abort();
      return;
    }
    io.err(c.red('quit before the cleanup finished: a change set or REVIEW_IN_PROGRESS placeholder of this run may be left behind'));
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  // Events as data for --json, each with the n/N count it brought (cli/progress.ts shows them live).
  const events: (StackEventLine & EventProgress)[] = [];
  const { ProgressDisplay } = await import('../progress.js');
  const progress = new ProgressDisplay({
    line: (t) => io.err(t),
    raw: (t) => io.errRaw?.(t),
    live: Boolean(io.errLive && io.errRaw),
    color: io.color,
  });
  return {
    clients,
    signal: controller.signal,
    events,
    progress,
    hooks: {
      onStep: (s) => progress.step(s.message, s.step),
      onRetry: (r) =>
        progress.note(
          c.yellow(
            `• still trying to ${r.what}: ${r.reason}; next try in ${Math.round(r.delayMs / 1000)} s, giving up in ${Math.round(r.giveUpInMs / 1000)} s`,
          ),
        ),
      onEvent: (event, p) => {
        events.push({ ...event, ...p });
        progress.event(event, p, formatEvent(event, p, io.color));
      },
      confirm: options.confirm
        ? async (req) => {
            progress.pause();
            return options.confirm!(req);
          }
        : undefined,
    },
    dispose: () => {
      progress.pause();
      process.off('SIGINT', onSigint);
    },
    interrupted: () => controller.signal.aborted,
  };
}

/** Without a terminal nobody can answer a prompt: refuse up front (before any AWS call) unless --yes. */
export async function requireTtyOrYes(what: string, yes: boolean): Promise<void> {
  if (yes || cli().io.isTTY) return;
  const { fail } = await import('../../errors.js');
  throw fail.CONFIRMATION_REQUIRED(`${what} needs a confirmation, but the terminal (TTY) is not attached`, {
    hint: 'review the changes first (`mfinfra plan`), then pass --yes to go ahead without a prompt',
  });
}

/**
 * Ask a yes/no question on the terminal (stderr), default no. Ctrl-C or end of input answers no.
 * Refuses without a TTY: the caller must pass --yes.
 */
export async function askYesNo(question: string): Promise<boolean> {
  await requireTtyOrYes(question.replace(/\?$/, ''), false);
  const { askLine } = await import('../confirm.js');
  return askLine(`${question} [y/N] `, (answer) => /^y(es)?$/i.test(answer.trim()));
}

interface Args extends AwsArgs, PreviewArgs {
  'change-set'?: string;
  'disable-rollback': boolean;
  'continue-rollback': boolean;
  'role-arn'?: string;
  force: boolean;
}

export const applyCommand: CommandModule<GlobalArgs, Args> = {
  command: 'apply [manifest]',
  describe: 'Deploy: create a change set, show it, confirm, execute, stream events, write the config files',
  builder: (y) =>
    withPreviewOptions(withAwsOptions(y))
      .option('change-set', {
        type: 'string',
        describe: 'execute this change set made earlier by `mfinfra plan` (checked to still match the manifest)',
      })
      .option('disable-rollback', {
        type: 'boolean',
        default: false,
        describe: 'on failure keep the failed resources for debugging instead of rolling back',
      })
      .option('continue-rollback', {
        type: 'boolean',
        default: false,
        describe: 'first recover a stack in UPDATE_ROLLBACK_FAILED (ContinueUpdateRollback)',
      })
      .option('role-arn', { type: 'string', describe: 'IAM role CloudFormation assumes for the operation (default: stack.roleArn)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite config keys changed by hand (a backup is kept)' })
      .example('$0 apply', 'plan, confirm and deploy the manifest found from here')
      .example('$0 apply --change-set NAME --yes', 'execute the change set NAME that `mfinfra plan` made earlier'),
  handler: async (argv) => {
    const { io } = cli();
    const c = paint(io.color);
    const json = argv.json || argv.format === 'json';
    const { compiled, clients } = await compileForDeploy(argv);
    await requireTtyOrYes(`apply to stack ${compiled.stackName}`, argv.yes);
    const ctx = await cliDeployContext(clients, {
      confirm: async (req) => (argv.yes ? true : askYesNo(req.message)),
    });
    try {
      const { applyDeploy } = await import('../../deploy/workflow.js');
      const { renderPreview, renderGateResult, summaryLine } = await import('../../preview/render.js');
      const out = await applyDeploy(
        compiled,
        ctx,
        async ({ plan, preview, gates }) => {
          ctx.progress.pause(); // the change set is ready: no status line over the preview and the question
          if (process.env.GITHUB_STEP_SUMMARY) {
            const { appendFile } = await import('node:fs/promises');
            const md = renderPreview(preview, 'markdown', { color: false, gates });
            await appendFile(process.env.GITHUB_STEP_SUMMARY, md + '\n').catch((e: Error) =>
              io.err(`warning: cannot append to $GITHUB_STEP_SUMMARY: ${e.message}`),
            );
          }
          if (!json) {
            const format = argv.format === 'markdown' ? 'markdown' : 'terminal';
            io.out(renderPreview(preview, format, { color: format === 'terminal' && io.color, gates }));
            // Refusals come back once, as the error that follows; here only what is asked or allowed.
            const shown = gates.approvable ? gates : { ...gates, blocked: [] };
            const gateText = format === 'markdown' ? '' : renderGateResult(shown, 'terminal', { color: io.color });
            if (gateText) io.err(gateText);
          } else if (!argv.yes) {
            // stdout is for the JSON result; the person answering the prompt still sees what they approve.
            io.err(renderPreview(preview, 'terminal', { color: io.color }));
          }
          if (!gates.ok && !gates.approvable) return false; // refused by a gate: nothing to ask
          if (argv.yes) return true;
          return askYesNo(
            `Deploy ${summaryLine(preview)} to ${plan.stackName} (${plan.changeSetType === 'CREATE' ? 'new stack' : plan.previousStatus}) in ${plan.region}?`,
          );
        },
        {
          templateBucket: argv['template-bucket'],
          waitForBusy: argv['wait-for-busy'],
          continueRollback: argv['continue-rollback'],
          yes: argv.yes,
          roleArn: argv['role-arn'],
          changeSet: argv['change-set'],
          disableRollback: argv['disable-rollback'],
          gates: { allowReplace: argv['allow-replace'], requireApproval: argv['require-approval'] },
          outputs: { force: argv.force },
        },
      );
      ctx.progress.pause(); // the stack is done: clear the status line before the results
      const { renderOutputs } = await import('../../deploy/render.js');
      if (json) {
        printJson({
          ok: true,
          stackName: out.plan.stackName,
          region: out.plan.region,
          status: out.result.status,
          finalStatus: out.result.finalStatus,
          stackId: out.result.stackId,
          changeSetName: out.plan.status === 'changes' ? out.plan.changeSetName : undefined,
          changeSetId: out.result.changeSetId,
          changeSetType: out.plan.changeSetType,
          ...(out.plan.noChangeReason ? { noChangeReason: out.plan.noChangeReason } : {}),
          preview: out.preview,
          events: ctx.events,
          ...(out.result.eventsUnavailable ? { eventsUnavailable: out.result.eventsUnavailable } : {}),
          ...(out.leftovers ? { leftovers: out.leftovers } : {}),
          outputs: out.result.outputs,
          terminationProtection: out.result.terminationProtection,
          configFiles: out.outputs?.files.map((f) => ({ kind: f.kind, path: f.path, status: f.status, written: f.written })),
          stateFile: out.stateFile,
        });
        return;
      }
      if (out.result.status === 'no-changes') {
        io.err(`${c.green('✓')} nothing to deploy: stack ${out.plan.stackName} is up to date ${c.dim(`(${out.plan.noChangeReason})`)}`);
      } else {
        io.err(`${c.green('✓')} ${out.plan.stackName}: ${out.result.finalStatus}`);
        if (out.preview) {
          const { completionLine } = await import('../progress.js');
          io.err(c.bold(completionLine('Apply', out.preview.summary, Date.now() - ctx.progress.startedAt)));
        }
      }
      if (out.result.eventsUnavailable) {
        io.err(
          c.yellow(
            `note: the stack's events could not be read (${out.result.eventsUnavailable}); its status was followed without them. All events: aws cloudformation describe-stack-events --stack-name ${out.plan.stackName}`,
          ),
        );
      }
      for (const l of out.leftovers ?? []) io.err(c.red(`LEFT BEHIND: ${l.what} (not deleted: ${l.because})\n  remove it: ${l.remove}`));
      const outputsText = renderOutputs(out.result.outputs, io.color);
      if (outputsText) io.err(outputsText);
      for (const f of out.outputs?.files ?? []) io.err(`${c.dim('•')} ${f.kind} ${f.path}: ${f.status}`);
      for (const note of out.outputs?.notes ?? []) io.err(c.dim(`note: ${note}`));
    } finally {
      ctx.dispose();
    }
  },
};
