import type { CommandModule } from 'yargs';
import { ExitCode, fail, type PreviewModel, type PlanVerdict } from '../../index.js';
import { cli, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { appendStepSummary, terminalHost } from '../terminalHost.js';
import { targetOf, withAwsOptions, withPreviewOptions, type AwsArgs, type PreviewArgs, type PreviewFormatArg } from './shared.js';

interface Args extends PreviewArgs, AwsArgs {
  manifest?: string;
  discard: boolean;
  offline: boolean;
  against?: string;
  'detailed-exitcode': boolean;
  'all-envs': boolean;
}

/**
 * Print a plan's preview (stdout) and what the gates decided (stderr; Markdown: stdout), append the
 * Markdown preview to $GITHUB_STEP_SUMMARY when set, and return the exit code (0, or BLOCKED).
 */
async function reportPreview(model: PreviewModel, argv: Args, jsonExtra?: Record<string, unknown>): Promise<PlanVerdict> {
  const { io } = cli();
  const { planVerdict, renderGateResult, renderPreview } = await import('../../index.js');
  const format: PreviewFormatArg = argv.json ? 'json' : argv.format;
  const verdict = planVerdict(model, { allowReplace: argv['allow-replace'], requireApproval: argv['require-approval'], yes: argv.yes });
  const { gates, exit: exitCode } = verdict;
  appendStepSummary(io, renderPreview(model, 'markdown', { color: false, gates }));
  if (format === 'json') {
    io.out(JSON.stringify({ ok: gates.ok, exitCode, ...jsonExtra, preview: model, gates }, null, 2));
    return verdict;
  }
  // Colour on stdout only when it is a terminal too (or FORCE_COLOR): a redirected preview stays plain.
  const stdoutColor = io.color && (io.isTTY || Boolean(process.env.FORCE_COLOR));
  // Markdown (a pull-request comment) carries the gates' verdict itself; the terminal gets it on stderr.
  io.out(renderPreview(model, format, { color: format === 'terminal' && stdoutColor, gates }));
  const gateText = format === 'markdown' ? '' : renderGateResult(gates, 'terminal', { color: io.color });
  if (gateText) io.err(gateText);
  if (verdict.approvalDeferred && gates.approvalRequired) {
    io.err('note: this change needs approval (--require-approval ' + argv['require-approval'] + '); apply will ask for it, or take --yes');
  }
  if (!gates.ok) {
    io.err(
      `refused by ${gates.blocked.length} safety gate${gates.blocked.length === 1 ? '' : 's'} (exit code ${ExitCode.BLOCKED}); nothing was changed`,
    );
  }
  return verdict;
}

/** Online: a change set CloudFormation computed, previewed; left for review unless --discard. */
async function planOnline(argv: Args): Promise<void> {
  const { io } = cli();
  const c = paint(io.color);
  const host = await terminalHost({
    json: argv.json,
    debug: argv.debug,
    yes: argv.yes,
    format: argv.json ? 'json' : argv.format,
    ask: false,
  });
  const { loadDeployTarget, planDeploy } = await import('../../index.js');
  const { compiled, clients } = await loadDeployTarget(targetOf(argv), host);
  const signal = host.watchInterrupts();
  try {
    const { plan, preview, refused, leftovers } = await planDeploy(
      compiled,
      { clients, io: host, signal },
      {
        templateBucket: argv['template-bucket'],
        waitForBusy: argv['wait-for-busy'],
        discard: argv.discard,
        gates: { allowReplace: argv['allow-replace'], requireApproval: argv['require-approval'] },
      },
    );
    host.progress.pause(); // the change set is ready: the preview follows, without a status line
    const info = {
      stackName: plan.stackName,
      region: plan.region,
      stackStatus: plan.previousStatus ?? null,
      changeSetType: plan.changeSetType,
      changeSetName: plan.changeSetId ? plan.changeSetName : null,
      changeSetId: plan.changeSetId ?? null,
      status: plan.status,
      ...(refused && !plan.changeSetId ? { changeSetDeleted: 'refused by a safety gate' } : {}),
      ...(leftovers ? { leftovers } : {}),
      changes: plan.changes,
      ...(plan.noChangeReason ? { noChangeReason: plan.noChangeReason } : {}),
      ...(plan.templateUploadedTo ? { templateUploadedTo: plan.templateUploadedTo } : {}),
    };
    if (!preview) {
      for (const l of leftovers ?? []) io.err(c.red(`LEFT BEHIND: ${l.what} (not deleted: ${l.because})\n  remove it: ${l.remove}`));
      if (argv.json) io.out(JSON.stringify({ ok: true, exitCode: ExitCode.OK, ...info }, null, 2));
      else io.err(`${c.green('✓')} nothing to deploy: stack ${plan.stackName} is up to date ${c.dim(`(${plan.noChangeReason})`)}`);
      return;
    }
    const { exit: exitCode } = await reportPreview(preview, argv, info);
    // Loud on every format: a change set that was meant to go is still executable.
    for (const l of leftovers ?? []) io.err(c.red(`LEFT BEHIND: ${l.what} (not deleted: ${l.because})\n  remove it: ${l.remove}`));
    if (!argv.json && !(refused && plan.changeSetId)) {
      if (plan.changeSetId) {
        io.err(
          `change set ${c.bold(plan.changeSetName)} is ready for review` +
            // An environment's change set is applied with its --env, and lives in that environment's region.
            `\n  deploy it: mfinfra apply ${compiled.environment !== undefined ? `--env ${compiled.environment} ` : ''}--change-set ${plan.changeSetName}` +
            `\n  discard it: aws cloudformation delete-change-set --stack-name ${plan.stackName} --change-set-name ${plan.changeSetName}${compiled.environment !== undefined ? ` --region ${plan.region}` : ''}` +
            (plan.placeholder
              ? c.dim(
                  `\n  (stack ${plan.stackName} exists as a REVIEW_IN_PROGRESS placeholder until the change set is executed or the stack deleted)`,
                )
              : ''),
        );
      } else if (refused) {
        io.err(
          `the change set was deleted${plan.placeholder ? ' with its REVIEW_IN_PROGRESS placeholder stack' : ''}: a change a safety gate refuses is never left executable`,
        );
      } else io.err(c.dim('the change set was deleted (--discard)'));
    }
    if (exitCode !== ExitCode.OK) cli().setExitCode(exitCode);
    else if (leftovers) cli().setExitCode(ExitCode.FAILURE);
    else if (argv['detailed-exitcode']) cli().setExitCode(ExitCode.CHANGES_PENDING);
  } finally {
    host.dispose();
  }
}

export const planCommand: CommandModule<GlobalArgs, Args> = {
  command: 'plan [manifest]',
  describe: 'Preview what apply would change, with safety gates (--offline: predicted locally, no AWS account)',
  builder: (y) =>
    withPreviewOptions(withAwsOptions(y))
      .option('discard', {
        type: 'boolean',
        default: false,
        describe: 'delete the change set after showing it (default: leave it for review and `mfinfra apply --change-set NAME`)',
      })
      .option('offline', {
        type: 'boolean',
        default: false,
        describe: 'predict locally: compare the compiled template with the last applied one (.mfinfra/state/<stack>.json) or --against',
      })
      .option('against', { type: 'string', describe: 'with --offline: compare with this template file instead of the local state' })
      .option('all-envs', {
        type: 'boolean',
        default: false,
        describe:
          'plan every environment of the manifest at once (a few at a time): one preview per environment in order, --format markdown one document with a section each; exits with the worst code',
      })
      .option('detailed-exitcode', {
        type: 'boolean',
        default: false,
        describe: `exit ${ExitCode.CHANGES_PENDING} (not 0) when the plan succeeded and changes are pending`,
      })
      .example('$0 plan --offline examples/full', 'what the full example would create, without an AWS account')
      .example('$0 plan --offline --format markdown > plan.md', 'a preview for a pull-request comment')
      .example('$0 plan --offline --detailed-exitcode', `CI: exit ${ExitCode.CHANGES_PENDING} when there are changes`)
      .example('$0 plan --all-envs --format markdown', 'every environment (dev, prod, …) in one pull-request comment')
      .epilog(
        [
          `Exit codes: 0 the plan succeeded (also with changes pending, unless --detailed-exitcode); ` +
            `${ExitCode.CHANGES_PENDING} changes are pending (only with --detailed-exitcode); ${ExitCode.BLOCKED} a safety gate refused: ` +
            'a stateful resource (bucket, database, table, secret, key, log group, file system) would be replaced or ' +
            'removed without --allow-replace <LogicalId>, or access broadens (per --require-approval) and there is no ' +
            'terminal and no --yes; 3 the manifest or a plugin is invalid; 2 usage; 1 failure.',
          "An offline plan is a local prediction from the templates, not CloudFormation's answer.",
        ].join('\n\n'),
      ),
  handler: async (argv) => {
    if (argv['all-envs']) {
      const { usageError } = await import('../usage.js');
      if (argv.env !== undefined)
        throw usageError('--all-envs and --env exclude each other', 'leave one out: --env NAME plans one environment');
      for (const flag of ['region', 'profile', 'against'] as const) {
        if (argv[flag] !== undefined) {
          throw usageError(
            `--all-envs plans each environment with its own region and profile; --${flag} would apply to all of them`,
            `leave --${flag} out (set it per environment in the manifest), or plan one environment with --env NAME --${flag} ...`,
          );
        }
      }
      const { planAllEnvironments } = await import('./planAll.js');
      return planAllEnvironments(argv, (env) => planCommand.handler({ ...argv, env, 'all-envs': false }) as Promise<void>);
    }
    if (argv.against && !argv.offline) {
      throw fail.USAGE('--against needs --offline (it replaces the local state as what the manifest is compared with)', {
        hint: 'mfinfra plan --offline --against deployed.json',
      });
    }
    if (!argv.offline) return planOnline(argv);
    const { planOffline } = await import('../../index.js');
    const { preview: model } = await planOffline({ ...targetOf(argv), against: argv.against });
    const { exit: exitCode } = await reportPreview(model, argv);
    if (exitCode !== ExitCode.OK) cli().setExitCode(exitCode);
    else if (argv['detailed-exitcode'] && !model.empty) cli().setExitCode(ExitCode.CHANGES_PENDING);
  },
};
