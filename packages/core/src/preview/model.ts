/**
 * The preview model: what a change would do to a stack, as plain data. Built from CloudFormation's
 * answer (a described change set, `previewFromChangeSet`) or predicted locally from two templates
 * (`previewFromTemplates`, offline plan); rendered by `renderPreview`; checked by `evaluateGates`.
 * Everything here is JSON-serialisable so `--json` prints the model as is.
 */

/** What happens to one resource. */
export type ChangeAction = 'add' | 'modify' | 'remove' | 'import';

/**
 * Whether the resource is replaced (a new physical resource is created and the old one deleted or
 * kept per its UpdateReplacePolicy). `'conditional'`: CloudFormation decides at deploy time.
 */
export type Replacement = true | false | 'conditional';

/** Whether one property change forces replacement. */
export type PropertyReplacement = 'always' | 'conditional' | 'never';

/** One changed property (or attribute such as Tags / DeletionPolicy) of a resource. */
export interface PropertyChange {
  /** Dotted path from the resource's Properties, e.g. `BucketName` or `ComputeResources.InstanceTypes`; attributes as `(DeletionPolicy)`. */
  path: string;
  change: 'add' | 'modify' | 'remove';
  /** Old value, when known (omitted when the property is new or the value is unknown). */
  before?: unknown;
  /** New value, when known. `'{{changeSet:KNOWN_AFTER_APPLY}}'` is kept as CloudFormation sent it. */
  after?: unknown;
  /** Whether this change forces replacement (from CloudFormation's Details, or the resource spec offline). */
  replacement: PropertyReplacement;
  /** What caused the change, when CloudFormation says (e.g. `ResourceReference: Bucket`). */
  cause?: string;
  /**
   * `template`: CloudFormation's change set gave no property details for the resource (some
   * endpoints, e.g. emulators, leave them out), so this comes from diffing the two templates.
   */
  source?: 'template';
}

/** What CloudFormation keeps when it deletes or replaces a resource. */
export interface Retention {
  /** DeletionPolicy in force (template value or CloudFormation's default), used on removal. */
  deletionPolicy: string;
  /** UpdateReplacePolicy in force, used on replacement. */
  updateReplacePolicy: string;
  /** One sentence a user can read: what happens to the old resource and its data. */
  effect: string;
}

/** One resource that changes. */
export interface ResourceChange {
  action: ChangeAction;
  logicalId: string;
  resourceType: string;
  /** Physical id of the existing resource, when CloudFormation knows it. */
  physicalId?: string;
  /** Manifest key of the plugin that owns the resource (template Metadata.mfinfra.resources), or `undefined` for unknown owners. */
  owner?: string;
  /** For `modify`: whether the resource is replaced. `false` for add / remove / import. */
  replacement: Replacement;
  /**
   * Where `replacement` comes from, when it is not CloudFormation's own answer: `predicted` (the change
   * set was silent, the template diff predicted it) or `unknown` (nobody could tell; a stateful
   * resource then counts as possibly replaced).
   */
  replacementSource?: 'predicted' | 'unknown';
  /** Changed properties and attributes (empty for add / remove, and when nothing more is known). */
  properties: PropertyChange[];
  /** The resource holds data (bucket, database, table, secret, key, log group, file system...). */
  stateful: boolean;
  /** For stateful resources that are replaced or removed: what the policies keep. */
  retention?: Retention;
  /** CloudFormation's PolicyAction for the change (Delete, Retain, Snapshot, ReplaceAndDelete...), when from a change set. */
  policyAction?: string;
  /** Where the change is (Properties, Metadata, Tags, DeletionPolicy...), when from a change set. */
  scope?: string[];
}

/** A security-relevant change: an IAM statement / managed policy, or a security-group rule. */
export type SecurityChange = IamStatementChange | ManagedPolicyChange | SecurityGroupRuleChange;

interface SecurityChangeBase {
  change: 'add' | 'remove';
  /** True when this change gives more access (an Allow added, a Deny removed, a policy attached, a rule added). */
  broadens: boolean;
}

export interface IamStatementChange extends SecurityChangeBase {
  kind: 'iam-statement';
  effect: string;
  /** Resources the statement applies to, as rendered by cloudformation-diff (`${Bucket.Arn}/*`). */
  resources: string[];
  actions: string[];
  principals: string[];
  condition?: unknown;
}

export interface ManagedPolicyChange extends SecurityChangeBase {
  kind: 'managed-policy';
  /** The role / user / group it is attached to. */
  identity: string;
  policy: string;
}

export interface SecurityGroupRuleChange extends SecurityChangeBase {
  kind: 'security-group-rule';
  group: string;
  direction: 'ingress' | 'egress';
  /** e.g. `TCP 5432`, `Everything`. */
  protocol: string;
  /** e.g. `0.0.0.0/0`, `${BatchSecurityGroup.GroupId}`. */
  peer: string;
}

/**
 * A deliberate exception to a scanner's rule, written with its reason on a resource the change adds
 * or modifies (`Metadata.cdk_nag.rules_to_suppress` / `Metadata.checkov.skip`).
 */
export interface DeliberateException {
  logicalId: string;
  scanner: 'cdk-nag' | 'checkov';
  /** e.g. `AwsSolutions-IAM5`, `CKV_AWS_18`. */
  rule: string;
  reason: string;
  /** cdk-nag: the granular findings it covers (e.g. `Resource::<DatastoreBucket.Arn>/*`); all when absent. */
  appliesTo?: string[];
  /**
   * `add`: new with this change; `keep`: the deployed resource has it already; `remove`: the resource
   * no longer needs it; `unknown`: the deployed template is not known.
   */
  change: 'add' | 'keep' | 'remove' | 'unknown';
}

/** A change outside Resources (Outputs, Parameters, Conditions...). */
export interface OtherChange {
  section: string;
  name: string;
  change: 'add' | 'modify' | 'remove';
}

export interface PreviewSummary {
  add: number;
  /** Modified in place (not replaced). */
  modify: number;
  /** Modified with replacement true or conditional. */
  replace: number;
  remove: number;
  import: number;
}

export interface PreviewModel {
  /** `changeset`: CloudFormation's answer. `offline`: a local prediction from two templates. `drift`: drift detection (template → actual). */
  source: 'changeset' | 'offline' | 'drift';
  stackName: string;
  /** Sorted by owner (plugin key; unowned last), then logical id. */
  changes: ResourceChange[];
  security: SecurityChange[];
  /** Deliberate exceptions on the resources that change, with their reasons (absent when there are none). */
  exceptions?: DeliberateException[];
  summary: PreviewSummary;
  /** Any security change gives more access. */
  permissionsBroadened: boolean;
  /** Changes outside Resources (outputs, parameters, ...), sorted. */
  other: OtherChange[];
  /** Nothing changes at all (no resource and no other change). */
  empty: boolean;
  /** Offline: there was no earlier template, so everything is an addition. */
  firstRun?: boolean;
  /** Offline: what the new template was compared with (a state file or `--against` file). */
  comparedWith?: string;
  /** Caveats the reader must see (e.g. change set data may be incomplete). */
  notes: string[];
}
