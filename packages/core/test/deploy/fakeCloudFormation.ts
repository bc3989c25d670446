/**
 * A small stateful CloudFormation behind aws-sdk-client-mock, for what moto does not emulate: IMPORT
 * change sets (`ChangeSetType: IMPORT`, `ResourcesToImport`), GetTemplateSummary's
 * `ResourceIdentifierSummaries`, and the import statuses (REVIEW_IN_PROGRESS → IMPORT_IN_PROGRESS →
 * IMPORT_COMPLETE, or IMPORT_ROLLBACK_IN_PROGRESS → IMPORT_ROLLBACK_COMPLETE). Responses follow the
 * shapes of the CloudFormation API reference; the rules it enforces are AWS's documented ones:
 * - an imported resource must have a DeletionPolicy;
 * - an import changes nothing else: the template minus the imported resources must equal the stack's,
 *   Outputs included ("As part of the import operation, you cannot modify or add [Outputs]");
 * - a resource that does not exist, or belongs to another stack, cannot be imported;
 * - executing a change set deletes every other change set of the stack;
 * - deleting a stack deletes its resources except those whose DeletionPolicy is Retain (or Snapshot
 *   for a DB instance, which leaves a snapshot).
 * Updates are modelled only as far as the tests need: Add / Modify / Remove by logical id, a
 * DeletionPolicy-only change reported with Scope [DeletionPolicy].
 */
import {
  type CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetStackPolicyCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  ListChangeSetsCommand,
  ListStackResourcesCommand,
  SetStackPolicyCommand,
  type Change,
  type Parameter,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };
type Template = {
  Resources?: Record<string, Resource>;
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, { Default?: unknown }>;
};

/** A physical resource in the fake account. */
export interface WorldResource {
  type: string;
  id: string;
  /** The stack that manages it (undefined: not in any stack). */
  stack?: string;
}

interface FakeChangeSet {
  id: string;
  name: string;
  type: 'CREATE' | 'UPDATE' | 'IMPORT';
  template: Template;
  body: string;
  parameters: Parameter[];
  changes: Change[];
  status: 'CREATE_COMPLETE' | 'FAILED';
  reason?: string;
  imports: { logicalId: string; id: string; type: string }[];
  createdAt: Date;
  description?: string;
}

interface FakeStack {
  name: string;
  id: string;
  status: string;
  template?: Template;
  body?: string;
  parameters: Parameter[];
  /** logical id → physical id */
  physical: Record<string, string>;
  changeSets: FakeChangeSet[];
  events: StackEvent[];
  policy?: string;
  /** What the status becomes on the next DescribeStacks. */
  pending?: () => void;
  lastChangeSetId?: string;
  outputs?: Record<string, string>;
}

const IDENTIFIERS: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::SecretsManager::Secret': 'Id',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

function validation(message: string): CloudFormationServiceException {
  return new CloudFormationServiceException({ name: 'ValidationError', message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sorted(x)]),
    );
  return v;
}

export class FakeCloudFormation {
  readonly stacks = new Map<string, FakeStack>();
  readonly world: WorldResource[] = [];
  /** Resources whose import fails at execution (IMPORT_ROLLBACK_COMPLETE). */
  readonly failImportOf = new Set<string>();
  /** Template bodies staged in S3, by their TemplateURL (the test's S3 mock fills it). */
  readonly bodies = new Map<string, string>();
  /** The stack Outputs after a create or update (e.g. simulateStackOutputs); none when unset. */
  outputsOf?: (template: Template, stackName: string) => Record<string, string>;
  /** Snapshots left by deleting DB instances with DeletionPolicy Snapshot. */
  readonly snapshots: string[] = [];
  private seq = 0;
  private clock = Date.parse('2026-01-01T12:00:00Z');

  constructor(
    private readonly account = '123456789012',
    private readonly region = 'us-east-1',
  ) {}

  private now(): Date {
    this.clock += 1000;
    return new Date(this.clock);
  }

  addWorld(type: string, id: string, stack?: string): void {
    this.world.push({ type, id, ...(stack ? { stack } : {}) });
  }

  /** A stack that already exists (e.g. one made by the official template), with its resources in the world. */
  seedStack(name: string, template: Template, physical: Record<string, string>, parameters: Parameter[] = []): void {
    const id = `arn:aws:cloudformation:${this.region}:${this.account}:stack/${name}/${++this.seq}`;
    const body = JSON.stringify(template);
    this.stacks.set(name, { name, id, status: 'CREATE_COMPLETE', template, body, parameters, physical, changeSets: [], events: [] });
    for (const [logicalId, pid] of Object.entries(physical)) this.addWorld(template.Resources![logicalId]!.Type, pid, name);
  }

  /** The stack as the next DescribeStacks would show it (a pending operation finishes first). */
  stack(name: string): FakeStack | undefined {
    const s = this.stacks.get(name) ?? [...this.stacks.values()].find((x) => x.id === name);
    s?.pending?.();
    if (s) s.pending = undefined;
    return s && s.status !== 'DELETE_COMPLETE' ? s : undefined;
  }

  private get(name: string): FakeStack {
    const s = this.stacks.get(name) ?? [...this.stacks.values()].find((x) => x.id === name);
    if (!s) throw validation(`Stack with id ${name} does not exist`);
    s.pending?.();
    s.pending = undefined;
    // A deleted stack is still found by its id (as on AWS), not by its name.
    if (s.status === 'DELETE_COMPLETE' && s.id !== name) throw validation(`Stack with id ${name} does not exist`);
    return s;
  }

  private event(s: FakeStack, logicalId: string, type: string, status: string, reason?: string): void {
    s.events.unshift({
      EventId: `ev-${++this.seq}`,
      StackId: s.id,
      StackName: s.name,
      LogicalResourceId: logicalId,
      PhysicalResourceId: logicalId === s.name ? s.id : (s.physical[logicalId] ?? ''),
      ResourceType: type,
      Timestamp: this.now(),
      ResourceStatus: status as StackEvent['ResourceStatus'],
      ...(reason ? { ResourceStatusReason: reason } : {}),
    });
  }

  private owner(type: string, id: string): WorldResource | undefined {
    return this.world.find((w) => w.type === type && w.id === id);
  }

  /** Wire every command onto the mock. */
  install(cfn: AwsClientStub<CloudFormationClient>): this {
    cfn.on(DescribeStacksCommand).callsFake((input) => {
      const s = this.get(input.StackName);
      return {
        Stacks: [
          {
            StackName: s.name,
            StackId: s.id,
            StackStatus: s.status,
            CreationTime: new Date('2026-01-01T10:00:00Z'),
            Parameters: s.parameters,
            ...(s.lastChangeSetId ? { ChangeSetId: s.lastChangeSetId } : {}),
            ...(s.outputs ? { Outputs: Object.entries(s.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) } : {}),
          },
        ],
      };
    });
    cfn.on(GetTemplateCommand).callsFake((input) => {
      const s = this.get(input.StackName);
      if (input.ChangeSetName) {
        const cs = s.changeSets.find((c) => c.id === input.ChangeSetName || c.name === input.ChangeSetName);
        return { TemplateBody: cs?.body };
      }
      return { TemplateBody: s.body };
    });
    cfn.on(GetTemplateSummaryCommand).callsFake((input) => {
      const t = JSON.parse(input.TemplateBody ?? this.bodies.get(input.TemplateURL ?? '') ?? '{}') as Template;
      const byType = new Map<string, string[]>();
      for (const [id, r] of Object.entries(t.Resources ?? {})) byType.set(r.Type, [...(byType.get(r.Type) ?? []), id]);
      return {
        ResourceTypes: [...byType.keys()],
        ResourceIdentifierSummaries: [...byType.entries()]
          .filter(([type]) => IDENTIFIERS[type])
          .map(([type, ids]) => ({ ResourceType: type, LogicalResourceIds: ids, ResourceIdentifiers: [IDENTIFIERS[type]!] })),
      };
    });
    cfn.on(CreateChangeSetCommand).callsFake((input) => this.createChangeSet(input));
    cfn.on(DescribeChangeSetCommand).callsFake((input) => {
      const s = this.get(input.StackName!);
      const cs = s.changeSets.find((c) => c.id === input.ChangeSetName || c.name === input.ChangeSetName);
      if (!cs) {
        throw new CloudFormationServiceException({
          name: 'ChangeSetNotFoundException',
          message: `ChangeSet [${input.ChangeSetName}] does not exist`,
          $fault: 'client',
          $metadata: { httpStatusCode: 404 },
        });
      }
      return {
        ChangeSetId: cs.id,
        ChangeSetName: cs.name,
        StackId: s.id,
        StackName: s.name,
        Status: cs.status,
        ExecutionStatus: cs.status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE',
        ...(cs.reason ? { StatusReason: cs.reason } : {}),
        CreationTime: cs.createdAt,
        Changes: cs.changes,
        Description: cs.description,
        Parameters: cs.parameters,
      };
    });
    cfn.on(ListChangeSetsCommand).callsFake((input) => {
      const s = this.get(input.StackName);
      return {
        Summaries: s.changeSets.map((c) => ({
          ChangeSetId: c.id,
          ChangeSetName: c.name,
          Status: c.status,
          ExecutionStatus: 'AVAILABLE',
          Description: c.description,
        })),
      };
    });
    cfn.on(DeleteChangeSetCommand).callsFake((input) => {
      const s = this.get(input.StackName!);
      s.changeSets = s.changeSets.filter((c) => c.id !== input.ChangeSetName && c.name !== input.ChangeSetName);
      return {};
    });
    cfn.on(ExecuteChangeSetCommand).callsFake((input) => this.execute(input.StackName!, input.ChangeSetName!));
    cfn.on(DeleteStackCommand).callsFake((input) => this.deleteStack(input.StackName!));
    cfn.on(DescribeStackEventsCommand).callsFake((input) => ({ StackEvents: this.get(input.StackName!).events }));
    cfn.on(SetStackPolicyCommand).callsFake((input) => {
      this.get(input.StackName).policy = input.StackPolicyBody;
      return {};
    });
    cfn.on(GetStackPolicyCommand).callsFake((input) => ({ StackPolicyBody: this.get(input.StackName).policy }));
    const resourcesOf = (name: string) => {
      const s = this.get(name);
      return Object.entries(s.template?.Resources ?? {})
        .filter(([id]) => s.physical[id])
        .map(([id, r]) => ({
          StackName: s.name,
          StackId: s.id,
          LogicalResourceId: id,
          PhysicalResourceId: s.physical[id],
          ResourceType: r.Type,
          ResourceStatus: 'CREATE_COMPLETE' as const,
          Timestamp: new Date('2026-01-01T10:00:00Z'),
          LastUpdatedTimestamp: new Date('2026-01-01T10:00:00Z'),
        }));
    };
    cfn.on(DescribeStackResourcesCommand).callsFake((input) => ({ StackResources: resourcesOf(input.StackName!) }));
    cfn.on(ListStackResourcesCommand).callsFake((input) => ({ StackResourceSummaries: resourcesOf(input.StackName!) }));
    return this;
  }

  private createChangeSet(input: NonNullable<ConstructorParameters<typeof CreateChangeSetCommand>[0]>) {
    const type = (input.ChangeSetType ?? 'UPDATE') as FakeChangeSet['type'];
    let s = this.stack(input.StackName!);
    if (type !== 'UPDATE' && s && s.status !== 'REVIEW_IN_PROGRESS' && !(type === 'IMPORT')) {
      throw validation(
        `Stack [${input.StackName}] already exists and cannot be created again with the changeSet [${input.ChangeSetName}].`,
      );
    }
    if (type === 'UPDATE' && !s) throw validation(`Stack [${input.StackName}] does not exist`);
    if (s && s.status.endsWith('_IN_PROGRESS') && s.status !== 'REVIEW_IN_PROGRESS') {
      throw validation(`Stack:${s.id} is in ${s.status} state and can not be updated.`);
    }
    const body = input.TemplateBody ?? this.bodies.get(input.TemplateURL ?? '');
    if (!body) throw validation(`Template ${input.TemplateURL ?? ''} could not be read`);
    const template = JSON.parse(body) as Template;
    if (!s) {
      s = {
        name: input.StackName!,
        id: `arn:aws:cloudformation:${this.region}:${this.account}:stack/${input.StackName}/${++this.seq}`,
        status: 'REVIEW_IN_PROGRESS',
        parameters: [],
        physical: {},
        changeSets: [],
        events: [],
      };
      this.stacks.set(s.name, s);
      this.event(s, s.name, 'AWS::CloudFormation::Stack', 'REVIEW_IN_PROGRESS', 'User Initiated');
    }
    const id = `arn:aws:cloudformation:${this.region}:${this.account}:changeSet/${input.ChangeSetName}/${++this.seq}`;
    const cs: FakeChangeSet = {
      id,
      name: input.ChangeSetName!,
      type,
      template,
      body,
      parameters: input.Parameters ?? [],
      changes: [],
      status: 'CREATE_COMPLETE',
      imports: [],
      createdAt: this.now(),
      description: input.Description,
    };
    const old = s.template?.Resources ?? {};
    const next = template.Resources ?? {};
    if (type === 'IMPORT') {
      const asked = input.ResourcesToImport ?? [];
      if (!asked.length) throw validation('ResourcesToImport must not be empty for an IMPORT change set');
      for (const r of asked) {
        const def = next[r.LogicalResourceId!];
        if (!def) throw validation(`Resource ${r.LogicalResourceId} to import is not in the template`);
        if (def.Type !== r.ResourceType) throw validation(`Resource type mismatch for ${r.LogicalResourceId}`);
        if (!def.DeletionPolicy) {
          throw validation(
            `The following resource(s) to import [${r.LogicalResourceId}] must have DeletionPolicy attribute specified in the template.`,
          );
        }
        if (old[r.LogicalResourceId!]) throw validation(`Resource ${r.LogicalResourceId} already exists in the stack`);
      }
      const importedIds = new Set(asked.map((r) => r.LogicalResourceId!));
      const rest = Object.fromEntries(Object.entries(next).filter(([id]) => !importedIds.has(id)));
      if (!same(rest, old))
        throw validation(
          'You have modified resources [...] in your template that are not being imported. Update, create or delete operations cannot be executed during import operations.',
        );
      if (!same(template.Outputs ?? {}, s.template?.Outputs ?? {}))
        throw validation('As part of the import operation, you cannot modify or add [Outputs]');
      const problems: string[] = [];
      for (const r of asked) {
        const key = IDENTIFIERS[r.ResourceType!]!;
        const pid = r.ResourceIdentifier?.[key];
        const w = pid === undefined ? undefined : this.owner(r.ResourceType!, pid);
        if (!w) problems.push(`Resource with identifier ${key}=${pid} of type ${r.ResourceType} was not found`);
        else if (w.stack) problems.push(`${r.ResourceType} ${pid} already exists in stack ${w.stack}`);
        else cs.imports.push({ logicalId: r.LogicalResourceId!, id: pid!, type: r.ResourceType! });
      }
      if (problems.length) {
        cs.status = 'FAILED';
        cs.reason = problems.join('; ');
      }
      cs.changes = cs.imports.map((i) => ({
        Type: 'Resource',
        ResourceChange: {
          Action: 'Import',
          LogicalResourceId: i.logicalId,
          PhysicalResourceId: i.id,
          ResourceType: i.type,
          Scope: [],
          Details: [],
        },
      }));
    } else {
      for (const [id, r] of Object.entries(next)) {
        const before = old[id];
        if (!before)
          cs.changes.push({
            Type: 'Resource',
            ResourceChange: { Action: 'Add', LogicalResourceId: id, ResourceType: r.Type, Scope: [], Details: [] },
          });
        else if (!same(before, r)) {
          const onlyPolicy = same(
            { ...before, DeletionPolicy: undefined, UpdateReplacePolicy: undefined },
            { ...r, DeletionPolicy: undefined, UpdateReplacePolicy: undefined },
          );
          cs.changes.push({
            Type: 'Resource',
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: id,
              PhysicalResourceId: s.physical[id],
              ResourceType: r.Type,
              Replacement: 'False',
              Scope: onlyPolicy ? ['DeletionPolicy'] : ['Properties'],
              Details: [],
            },
          });
        }
      }
      for (const [id, r] of Object.entries(old)) {
        if (!next[id]) {
          cs.changes.push({
            Type: 'Resource',
            ResourceChange: {
              Action: 'Remove',
              LogicalResourceId: id,
              PhysicalResourceId: s.physical[id],
              ResourceType: r.Type,
              PolicyAction: r.DeletionPolicy === 'Retain' ? 'Retain' : 'Delete',
              Scope: [],
              Details: [],
            },
          });
        }
      }
      if (!cs.changes.length && same(template, s.template)) {
        cs.status = 'FAILED';
        cs.reason = "The submitted information didn't contain changes. Submit different information to create a change set.";
      }
    }
    s.changeSets.push(cs);
    return { Id: id, StackId: s.id };
  }

  private execute(stackName: string, changeSetName: string) {
    const s = this.get(stackName);
    const cs = s.changeSets.find((c) => c.id === changeSetName || c.name === changeSetName);
    if (!cs || cs.status !== 'CREATE_COMPLETE') throw validation(`ChangeSet [${changeSetName}] cannot be executed in its current status`);
    // Executing a change set deletes every change set of the stack.
    s.changeSets = [];
    s.lastChangeSetId = cs.id;
    if (cs.type === 'IMPORT') {
      s.status = 'IMPORT_IN_PROGRESS';
      this.event(s, s.name, 'AWS::CloudFormation::Stack', 'IMPORT_IN_PROGRESS', 'User Initiated');
      const failing = cs.imports.find((i) => this.failImportOf.has(i.logicalId));
      const wasNew = !s.template;
      s.pending = () => {
        if (failing) {
          this.event(s, failing.logicalId, failing.type, 'IMPORT_FAILED', 'Resource handler returned message: "Access Denied"');
          s.status = wasNew ? 'IMPORT_ROLLBACK_COMPLETE' : 'IMPORT_ROLLBACK_COMPLETE';
          this.event(s, s.name, 'AWS::CloudFormation::Stack', 'IMPORT_ROLLBACK_COMPLETE');
          return;
        }
        for (const i of cs.imports) {
          s.physical[i.logicalId] = i.id;
          this.owner(i.type, i.id)!.stack = s.name;
          this.event(s, i.logicalId, i.type, 'IMPORT_COMPLETE');
        }
        s.template = cs.template;
        s.body = cs.body;
        s.status = 'IMPORT_COMPLETE';
        this.event(s, s.name, 'AWS::CloudFormation::Stack', 'IMPORT_COMPLETE');
      };
      return {};
    }
    const creating = !s.template;
    s.status = creating ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
    this.event(s, s.name, 'AWS::CloudFormation::Stack', s.status, 'User Initiated');
    s.pending = () => {
      const next = cs.template.Resources ?? {};
      for (const [id, r] of Object.entries(next)) {
        if (!s.physical[id]) {
          s.physical[id] = `${s.name}-${id}-${++this.seq}`.toLowerCase();
          this.addWorld(r.Type, s.physical[id]!, s.name);
        }
      }
      for (const [id, r] of Object.entries(s.template?.Resources ?? {})) {
        if (!next[id]) this.release(s, id, r);
      }
      s.template = cs.template;
      s.body = cs.body;
      s.parameters = cs.parameters.map((p) =>
        p.UsePreviousValue ? (s.parameters.find((q) => q.ParameterKey === p.ParameterKey) ?? p) : p,
      );
      if (this.outputsOf) s.outputs = this.outputsOf(cs.template, s.name);
      s.status = creating ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE';
      this.event(s, s.name, 'AWS::CloudFormation::Stack', s.status);
    };
    return {};
  }

  /** A resource leaves the stack: kept (Retain), snapshotted and deleted (Snapshot), or deleted. */
  private release(s: FakeStack, logicalId: string, r: Resource): void {
    const pid = s.physical[logicalId];
    delete s.physical[logicalId];
    if (!pid) return;
    const i = this.world.findIndex((w) => w.type === r.Type && w.id === pid);
    if (i < 0) return;
    if (r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate') {
      delete this.world[i]!.stack;
      this.event(s, logicalId, r.Type, 'DELETE_SKIPPED');
      return;
    }
    const snapshotByDefault = r.Type === 'AWS::RDS::DBInstance' && r.DeletionPolicy === undefined;
    if (r.DeletionPolicy === 'Snapshot' || snapshotByDefault) this.snapshots.push(`${pid}-snapshot`);
    this.world.splice(i, 1);
    this.event(s, logicalId, r.Type, 'DELETE_COMPLETE');
  }

  private deleteStack(name: string) {
    const s = this.stack(name);
    if (!s) return {};
    s.pending?.();
    s.pending = undefined;
    s.status = 'DELETE_IN_PROGRESS';
    this.event(s, s.name, 'AWS::CloudFormation::Stack', 'DELETE_IN_PROGRESS', 'User Initiated');
    s.pending = () => {
      for (const [id, r] of Object.entries(s.template?.Resources ?? {})) this.release(s, id, r);
      s.status = 'DELETE_COMPLETE';
      s.changeSets = [];
      this.event(s, s.name, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE');
    };
    return {};
  }
}
