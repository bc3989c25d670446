import { describe, expect, it } from 'vitest';
import { definePlugin, type AwsAccess, type LiveContext } from '../plugin.js';
import { compileManifest, errorOf, problemsOf, verifyManifest } from '../testing.js';

/** A fake AWS client class: what a plugin hands to ctx.aws.client. */
class QueueClient {
  constructor(readonly config: object) {}
  queues: Record<string, string> = { 'metaflow-queue': 'VALID' };
}

function fakeAws(): AwsAccess & { made: unknown[] } {
  const made: unknown[] = [];
  return {
    region: 'us-west-2',
    made,
    accountId: async () => '111122223333',
    client<C>(Client: new (...args: any[]) => C): C {
      const c = new (Client as unknown as new (config: object) => C)({ region: 'us-west-2' });
      made.push(c);
      return c;
    },
  };
}

const seen: { region?: string; signal?: AbortSignal; options?: unknown }[] = [];
const queuePlugin = definePlugin<{ queue: string }>({
  name: 'test:queue',
  apiVersion: 1,
  key: 'queue',
  schema: { type: 'object', properties: { queue: { type: 'string' } }, required: ['queue'], additionalProperties: false },
  resources: () => ({}),
  async verify(ctx: LiveContext, options) {
    seen.push({ region: ctx.aws.region, signal: ctx.signal, options });
    const client = ctx.aws.client(QueueClient);
    const status = client.queues[options.queue];
    if (!status) ctx.report(`job queue "${options.queue}" does not exist in ${ctx.aws.region}`, { path: ['queue'], code: 'NO_QUEUE' });
  },
});

const manifest = (queue: string) =>
  ['version: 1', 'stack: { name: live-test, region: us-west-2 }', 'plugins: [./queue.mjs]', `queue: { queue: ${queue} }`, ''].join('\n');

describe('the verify hook', () => {
  it('runs with ctx.aws and ctx.signal, the options and nothing reported when all is well', async () => {
    const compiled = await compileManifest(manifest('metaflow-queue'), { plugins: { './queue.mjs': queuePlugin } });
    const aws = fakeAws();
    const controller = new AbortController();
    seen.length = 0;
    await verifyManifest(compiled, aws, controller.signal);
    expect(seen).toEqual([{ region: 'us-west-2', signal: controller.signal, options: { queue: 'metaflow-queue' } }]);
    expect(aws.made).toHaveLength(1);
  });

  it('reports a problem at the manifest position that named the resource', async () => {
    const compiled = await compileManifest(manifest('no-such-queue'), { plugins: { './queue.mjs': queuePlugin } });
    const e = await errorOf(verifyManifest(compiled, fakeAws()));
    expect(e.exitCode).toBe(3);
    expect(problemsOf(e)).toEqual([
      {
        code: 'MANIFEST_INVALID',
        pluginCode: 'NO_QUEUE',
        at: 'metaflow.infra.yaml:4:17',
        message: 'job queue "no-such-queue" does not exist in us-west-2',
      },
    ]);
    expect(e.plugin).toBe('test:queue');
    expect(e.hook).toBe('verify');
  });

  it('reports an AWS failure as one (not as a bug in the plugin)', async () => {
    const failing = definePlugin({
      ...queuePlugin,
      async verify() {
        throw Object.assign(new Error('User: x is not authorized to perform: batch:DescribeJobQueues'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 403 },
          $fault: 'client',
        });
      },
    });
    const compiled = await compileManifest(manifest('metaflow-queue'), { plugins: { './queue.mjs': failing } });
    const e = await errorOf(verifyManifest(compiled, fakeAws()));
    expect(e.code).toBe('AWS_ACCESS_DENIED');
    expect(e.message).toContain('check what the queue section reuses (plugin test:queue)');
  });

  it('does not run once Ctrl-C fired', async () => {
    const compiled = await compileManifest(manifest('metaflow-queue'), { plugins: { './queue.mjs': queuePlugin } });
    const controller = new AbortController();
    controller.abort();
    seen.length = 0;
    const e = await errorOf(verifyManifest(compiled, fakeAws(), controller.signal));
    expect(e.exitCode).toBe(130);
    expect(seen).toEqual([]);
  });
});
