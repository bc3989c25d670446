import { CreateChangeSetCommand, DescribeChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { quietSdkNodeWarning } from '../../src/aws/clients.js';
import { createPlan } from '../../src/deploy/plan.js';
import { stageTemplate } from '../../src/deploy/templateSource.js';
import { MfinfraError } from '../../src/errors.js';
import { ACCOUNT_ID, compiled, CS_ID, harness, missingStack, STACK_ID, type Harness } from './helpers.js';

const s3Error = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status } });
const manyQueues = Array.from({ length: 400 }, (_, i) => `WithAFairlyLongNameToMakeTheTemplateBig${i}`);

async function planError(h: Harness, c: Awaited<ReturnType<typeof compiled>>, options = {}): Promise<MfinfraError> {
  try {
    await createPlan(c, h.ctx, options);
  } catch (e) {
    if (MfinfraError.is(e)) return e;
    throw e;
  }
  throw new Error('expected the plan to fail');
}

function ready(h: Harness) {
  h.cfn.on(DescribeStacksCommand).rejects(missingStack());
  h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
  h.cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', ChangeSetId: CS_ID, Changes: [] });
}

describe('template size', () => {
  it('over 1 MB: an error before any AWS call', async () => {
    const h = harness();
    const c = await compiled();
    const huge = { ...c.template, Description: 'x'.repeat(1_000_000) };
    const e = await planError(h, { ...c, template: huge }, { templateBucket: 'staging' });
    expect([e.code, e.message]).toEqual([
      'TEMPLATE_TOO_LARGE',
      `the template for stack mf-test is ${JSON.stringify(huge).length.toLocaleString('en-US')} bytes; CloudFormation accepts at most 1,000,000 bytes (1 MB) even from S3`,
    ]);
    expect(h.cfn.calls()).toHaveLength(0);
    expect(h.s3.calls()).toHaveLength(0);
  });

  it('sends the template minified; a template that fits minified goes inline although its readable form is over 51,200 bytes', async () => {
    const h = harness();
    ready(h);
    // 250 queues: the readable template is over the inline limit, the minified one under it.
    const c = await compiled({ names: manyQueues.slice(0, 250) });
    expect(c.stats.bodyBytes).toBeGreaterThan(51_200);
    expect(c.stats.deployBytes).toBeLessThanOrEqual(51_200);
    expect(c.stats.needsS3Upload).toBe(false);
    await createPlan(c, h.ctx);
    const create = h.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(create.TemplateBody).toBe(JSON.stringify(c.template));
    expect(JSON.parse(create.TemplateBody!)).toEqual(c.template);
    expect(h.s3.calls()).toHaveLength(0);
  });

  it("over 51,200 bytes minified and no bucket named: creates mfinfra's managed bucket for the account and region once, then reuses it", async () => {
    const h = harness();
    ready(h);
    h.s3.resolves({});
    h.s3.on(HeadBucketCommand).rejectsOnce(s3Error('NotFound', 404)).resolves({});
    const c = await compiled({ names: manyQueues });
    expect(c.stats.needsS3Upload).toBe(true);
    const bucket = `mfinfra-templates-${ACCOUNT_ID}-us-east-1`;
    const first = await createPlan(c, h.ctx);
    expect(first.templateUploadedTo).toMatch(new RegExp(`^s3://${bucket}/mfinfra/mf-test/[0-9a-f]{32}\\.json$`));
    expect(h.s3.calls().map((x) => (x.args[0] as object).constructor.name)).toEqual([
      'HeadBucketCommand',
      'CreateBucketCommand',
      'PutPublicAccessBlockCommand',
      'PutBucketEncryptionCommand',
      'PutBucketLifecycleConfigurationCommand',
      'PutBucketPolicyCommand',
      'PutObjectCommand',
    ]);
    // Every call names the account that must own the bucket: a same-named bucket of another account is never used.
    for (const call of h.s3.calls()) {
      const input = (call.args[0] as { input: { Bucket?: string; ExpectedBucketOwner?: string } }).input;
      if (call.args[0] instanceof CreateBucketCommand) continue; // CreateBucket has no owner condition
      expect(input).toMatchObject({ Bucket: bucket, ExpectedBucketOwner: ACCOUNT_ID });
    }
    expect(h.s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]!.args[0].input.LifecycleConfiguration!.Rules).toEqual([
      {
        ID: 'mfinfra-expire-staged-templates',
        Status: 'Enabled',
        Filter: { Prefix: 'mfinfra/' },
        Expiration: { Days: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    expect(JSON.parse(h.s3.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.Policy!).Statement[0]).toMatchObject({
      Effect: 'Deny',
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(h.steps.find((s) => s.step === 'upload-template')?.message).toMatch(
      new RegExp(
        `bytes minified, over the 51,200 CloudFormation takes inline\\) to mfinfra's managed staging bucket: s3://${bucket}/.*\\(created it for this account and region: private, encrypted, TLS-only, staged templates deleted after 30 days`,
      ),
    );
    expect(h.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.TemplateURL).toMatch(
      new RegExp(`^https://s3\\.amazonaws\\.com/${bucket}/mfinfra/mf-test/`),
    );

    // The second run finds the bucket and only uploads.
    const second = harness();
    ready(second);
    second.s3.resolves({});
    await createPlan(c, second.ctx);
    expect(second.s3.calls().map((x) => (x.args[0] as object).constructor.name)).toEqual(['HeadBucketCommand', 'PutObjectCommand']);
    expect(second.steps.find((s) => s.step === 'upload-template')?.message).not.toContain('created');
  });

  it('a managed bucket name owned by another account is refused with a way out; a bucket another run just created is used', async () => {
    const h = harness();
    ready(h);
    h.s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));
    const e = await planError(h, await compiled({ names: manyQueues }));
    expect([e.code, e.message]).toEqual([
      'AWS_ACCESS_DENIED',
      `the managed template bucket mfinfra-templates-${ACCOUNT_ID}-us-east-1 exists but is not owned by account ${ACCOUNT_ID} (or these credentials cannot use it)`,
    ]);
    expect(e.hint).toContain('--template-bucket');
    expect(h.s3.commandCalls(PutObjectCommand)).toHaveLength(0);

    const race = harness();
    ready(race);
    race.s3.resolves({});
    race.s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    race.s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyOwnedByYou', 409));
    await createPlan(await compiled({ names: manyQueues }), race.ctx);
    expect(race.s3.calls().map((x) => (x.args[0] as object).constructor.name)).toEqual([
      'HeadBucketCommand',
      'CreateBucketCommand',
      'PutObjectCommand',
    ]);
  });

  it('over 51,200 bytes: creates the bucket private, encrypted and TLS-only, uploads, passes TemplateURL', async () => {
    const h = harness();
    ready(h);
    h.s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    h.s3.on(CreateBucketCommand).resolves({});
    h.s3.on(PutPublicAccessBlockCommand).resolves({});
    h.s3.on(PutBucketEncryptionCommand).resolves({});
    h.s3.on(PutBucketPolicyCommand).resolves({});
    h.s3.on(PutObjectCommand).resolves({});
    const c = await compiled({ names: manyQueues });
    const plan = await createPlan(c, h.ctx, { templateBucket: 'mf-staging' });
    const key = `mfinfra/mf-test/${createHash('sha256').update(JSON.stringify(c.template)).digest('hex').slice(0, 32)}.json`;
    expect(plan.templateUploadedTo).toBe(`s3://mf-staging/${key}`);
    expect(h.s3.calls().map((x) => (x.args[0] as object).constructor.name)).toEqual([
      'HeadBucketCommand',
      'CreateBucketCommand',
      'PutPublicAccessBlockCommand',
      'PutBucketEncryptionCommand',
      'PutBucketPolicyCommand',
      'PutObjectCommand',
    ]);
    expect(h.s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({ Bucket: 'mf-staging' });
    expect(h.s3.commandCalls(PutPublicAccessBlockCommand)[0]!.args[0].input.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(
      h.s3.commandCalls(PutBucketEncryptionCommand)[0]!.args[0].input.ServerSideEncryptionConfiguration!.Rules![0]!
        .ApplyServerSideEncryptionByDefault,
    ).toEqual({ SSEAlgorithm: 'AES256' });
    expect(JSON.parse(h.s3.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.Policy!).Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(h.s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'mf-staging',
      Key: key,
      ServerSideEncryption: 'AES256',
    });
    const create = h.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(create.TemplateURL).toBe(`https://s3.amazonaws.com/mf-staging/${key}`);
    expect(create.TemplateBody).toBeUndefined();
  });

  it('an existing bucket is used as is; a bucket owned by someone else is a clear error', async () => {
    const h = harness();
    ready(h);
    h.s3.on(HeadBucketCommand).resolves({});
    h.s3.on(PutObjectCommand).resolves({});
    await createPlan(await compiled({ names: manyQueues }), h.ctx, { templateBucket: 'mf-staging' });
    expect(h.s3.calls()).toHaveLength(2);

    const f = harness();
    ready(f);
    f.s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));
    const e = await planError(f, await compiled({ names: manyQueues }), { templateBucket: 'taken' });
    expect([e.code, e.message]).toEqual(['AWS_ACCESS_DENIED', 'the template bucket taken exists but these credentials cannot use it']);
  });

  it("a region outside us-east-1: the bucket gets a LocationConstraint, the TemplateURL the region's S3 host (also on a custom endpoint)", async () => {
    const s3 = new S3Client({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4566',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const mock = mockClient(s3);
    mock.resolves({});
    mock.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    const staged = await stageTemplate(
      s3,
      { body: 'x'.repeat(60_000), stackName: 'mf', region: 'eu-west-1', bucket: 'b', endpoint: 'http://127.0.0.1:4566' },
      { delayScale: 0 },
    );
    expect(staged.source).toEqual({
      TemplateURL: expect.stringMatching(/^https:\/\/s3\.eu-west-1\.amazonaws\.com\/b\/mfinfra\/mf\/[0-9a-f]{32}\.json$/),
    });
    expect(mock.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({
      Bucket: 'b',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    // A TLS-only policy would lock out the plain-http emulator itself; private and encrypted still apply.
    expect(mock.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
    expect(mock.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(1);
    expect(mock.commandCalls(PutBucketEncryptionCommand)).toHaveLength(1);
  });
});

describe("the SDK's Node.js support notice", () => {
  // (The CLI shows it only under --debug: packages/core/test/cli.test.ts.)
  it('is switched off in the SDK and said once, in one line, on Node < 22', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(quietSdkNodeWarning(env, 'v20.20.2')).toEqual([
      'the AWS SDK for JavaScript will require Node.js >= 22 for releases after January 2027 (running v20.20.2)',
    ]);
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    expect(quietSdkNodeWarning(env, 'v20.20.2')).toEqual([]);
    expect(quietSdkNodeWarning({}, 'v22.3.0')).toEqual([]);
  });

  it("respects the user's own setting", () => {
    const env: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };
    expect(quietSdkNodeWarning(env, 'v20.1.0')).toEqual([]);
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
  });
});
