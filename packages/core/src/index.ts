/**
 * @mfinfra/core — the programmatic API. Every function returns data and never prints; the CLI
 * (`mfinfra`) is a thin layer over these.
 */

// The main show
export { compile, compileProject } from './compile/compile.js';
export type { CompileOptions, CompileResult, ConfigOutputEntry, PluginInfo, StackOutputEntry } from './compile/compile.js';
export { loadProject } from './load/index.js';
export { compileEnvironments, ENVIRONMENT_CONCURRENCY, manifestEnvironments, mapWithLimit } from './environments/all.js';
export { declaredEnvironments, mergeOverlay } from './environments/overlay.js';
export type { LoadOptions, Project, ResolvedManifest } from './load/index.js';
export { getSchema } from './load/index.js';
export { listPlugins } from './plugins/list.js';

// Supporting acts
export { ErrorCode, ExitCode, fail, MfinfraError } from './errors.js';
export type { Diagnostic, ExitCodeValue, MfinfraErrorOptions, SourceLocation } from './errors.js';
export { findManifest, formatPath, MANIFEST_FILE_NAMES, parseManifest, readManifest } from './load/index.js';
export type { ManifestSource } from './load/index.js';
export { CFN_LIMITS, serializeTemplate } from './compile/template.js';
export type { CfnTemplate, MfinfraTemplateMetadata } from './compile/template.js';
export type { TemplateStats } from './compile/checks.js';
export { collectReferences } from './compile/checks.js';
export { configKeyToOutputName, createNaming } from './compile/naming.js';
export { refuseProtected, writeFileAtomic } from './io/atomicWrite.js';
export type { AtomicWriteOptions } from './io/atomicWrite.js';
export { CORE_KEYS, FIRST_PARTY_PLUGINS, getCliPackage, SCHEMA_ID, setCliPackage } from './load/index.js';
export type { CliPackage } from './load/index.js';
export { VERSION } from './version.js';

// mfinfra init: a starter manifest, or one from a Metaflow config or a deployed stack
export * from './init/index.js';

// The plugin contract (also at @mfinfra/core/plugin)
export * from './plugin.js';

// Config outputs (after apply, or `mfinfra outputs`): writeConfigOutputs, formatMetaflowConfig, renderTemplate...
export * from './outputs/index.js';

// Previews, safety gates and offline plans (cloudformation-diff loads on the first diff)
export { previewFromChangeSet } from './preview/fromChangeSet.js';
export type { ChangeSetPreviewInput } from './preview/fromChangeSet.js';
export { previewFromTemplates } from './preview/fromTemplates.js';
export type { OfflinePreviewInput } from './preview/fromTemplates.js';
export { DEFAULT_GATE_OPTIONS, evaluateGates, riskyStatefulChanges } from './preview/gates.js';
export type { GateBlock, GateNote, GateOptions, GateResult, RequireApproval } from './preview/gates.js';
export { renderGateResult, renderPreview, summaryLine } from './preview/render.js';
export type { PreviewFormat, RenderOptions } from './preview/render.js';
// The renderers' colours (node:util styleText), for text shown beside them.
export { paint } from './preview/style.js';
export type { Style } from './preview/style.js';
export { isStateful, STATEFUL_TYPES } from './preview/stateful.js';
export type * from './preview/model.js';
export { readAppliedState, stateFilePath, writeAppliedState } from './state/localState.js';
export type { AppliedState } from './state/localState.js';

// The actions: plan, apply, destroy as use-cases (the CLI calls the same; the AWS SDK loads on first call)
export {
  adopt,
  apply,
  applyDeploy,
  destroy,
  destroyDeploy,
  detectDrift,
  loadAwsClients,
  loadDeployTarget,
  migrate,
  outputs,
  outputsDeploy,
  plan,
  planDeploy,
} from './actions/index.js';
export type { AdoptOptions, AdoptResult } from './actions/adopt.js';
export { parseImportPairs } from './actions/importPairs.js';
export type { ImportPlan, ImportRequest, PlannedImport } from './deploy/importPlan.js';
export type { MigrateOptions, MigrateResult, MigrationReview, MigrationState } from './actions/migrate.js';
export { MIGRATION_STEPS } from './actions/migrationSteps.js';
export type { MigrationStep } from './actions/migrationSteps.js';
export type { OutputsOptions } from './actions/outputs.js';
export type { ApplyDeployOptions, ApplyDeployResult } from './actions/apply.js';
export type { DestroyDeployOptions } from './actions/destroy.js';
export type { PlanDeployOptions, PlannedDeploy } from './actions/plan.js';
export { planOffline, planVerdict } from './actions/planOffline.js';
export type { OfflinePlan, PlanOfflineOptions, PlanVerdict } from './actions/planOffline.js';
export type { ActionRun, ActionTarget, DeployTarget } from './actions/target.js';
export { reportCompileWarnings } from './actions/target.js';
export type { DestroyPlan, DestroyResource, DestroyResult } from './deploy/destroy.js';
export type { EventProgress, StackEventLine } from './deploy/events.js';
export type { RetryInfo } from './deploy/poll.js';
export type { ApplyOptions, ApplyResult, DeployStep, PlanOptions, PlanResult } from './deploy/types.js';
export type { DeployContext } from './deploy/context.js';
export type { AwsClients, AwsSettings } from './aws/clients.js';
export { DeployErrorCode } from './errors.js';
export { formatEvent, renderDestroyPlan, renderImportDeferred, renderOutputs } from './deploy/render.js';
export { configFilesOf } from './outputs/staleConfig.js';
export type { DriftResult } from './deploy/drift.js';

// The IoHost: how actions report progress and ask questions (iohost/messages.ts has the code table)
export { IO_CODES, ioMessage, ioRequest, quietIoHost } from './iohost/messages.js';
export type {
  AnyIoMessage,
  AnyIoRequest,
  IoCode,
  IoHost,
  IoLevel,
  IoMessage,
  IoNotificationCode,
  IoNotifications,
  IoRequest,
  IoRequestCode,
  IoRequests,
  IoResponse,
  ReviewedChangeSet,
  ReviewedImport,
  ReviewedMigrationStep,
} from './iohost/messages.js';
