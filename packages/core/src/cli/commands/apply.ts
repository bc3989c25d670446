import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { requireTtyOrYes, terminalHost } from '../terminalHost.js';
import { targetOf, withAwsOptions, withPreviewOptions, type AwsArgs, type PreviewArgs } from './shared.js';

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
    const host = await terminalHost({ json: argv.json, debug: argv.debug, yes: argv.yes, format: json ? 'json' : argv.format, ask: true });
    const { loadDeployTarget, applyDeploy, renderOutputs } = await import('../../index.js');
    const { compiled, clients } = await loadDeployTarget(targetOf(argv), host);
    await requireTtyOrYes(`apply to stack ${compiled.stackName}`, argv.yes);
    const signal = host.watchInterrupts();
    try {
      const out = await applyDeploy(
        compiled,
        { clients, io: host, signal },
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
      host.progress.pause(); // the stack is done: clear the status line before the results
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
          events: host.events,
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
          io.err(c.bold(completionLine('Apply', out.preview.summary, Date.now() - host.progress.startedAt)));
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
      host.dispose();
    }
  },
};
