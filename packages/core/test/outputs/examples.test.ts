/**
 * Every example manifest, compiled with the real plugins, deployed on paper: its stack Outputs are
 * simulated from the template (simulatedStack.ts) and the config files written from them are
 * compared whole with the stored files in __snapshots__/examples/.
 */
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { exampleTargets } from '../../../../test/helpers/examples.js';
import { compile } from '../../src/compile/compile.js';
import { writeConfigOutputs } from '../../src/outputs/index.js';
import { simulateStackOutputs } from './simulatedStack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const examplesDir = path.resolve(here, '../../../../examples');
const targets = exampleTargets(examplesDir);
const examples = targets.map((t) => t.name);
const KEY = 'ExampleApiKeyValue0123456789ABCDEFGHIJKL';

const apiGateway = mockClient(APIGatewayClient);
beforeEach(() => {
  apiGateway.reset();
  apiGateway
    .on(GetApiKeyCommand)
    .callsFake((input: { apiKey: string; includeValue?: boolean }) => ({ id: input.apiKey, value: input.includeValue ? KEY : undefined }));
});

describe('config files for every example', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s', async (name) => {
    const target = targets.find((t) => t.name === name)!;
    const compiled = await compile({ manifest: target.dir, env: target.env });
    const region = compiled.region ?? 'us-east-1';
    const stackOutputs = simulateStackOutputs(compiled.template, compiled.stackName, region);
    // Write into a copy of the example folder, so relative destinations never touch the repository.
    const dir = mkdtempSync(path.join(os.tmpdir(), `mfinfra-example-${name}-`));
    cpSync(target.dir, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
    const home = path.join(dir, '.mfhome');
    const result = await writeConfigOutputs({
      compiled: { ...compiled, file: path.join(dir, path.basename(compiled.file)) },
      stackOutputs,
      region,
      options: { env: { METAFLOW_HOME: home, HOME: dir } },
    });

    const config = result.files.find((f) => f.kind === 'metaflow-config')!;
    // An environment's config is its own Metaflow profile: METAFLOW_PROFILE=<env> selects it.
    expect(path.basename(config.path)).toBe(target.env ? `config_${target.env}.json` : 'config.json');
    if (target.env) expect(result.notes).toContain(`select this config with METAFLOW_PROFILE=${target.env}`);
    const text = readFileSync(config.path, 'utf8');
    await expect(text).toMatchFileSnapshot(`./__snapshots__/examples/${name}.config.json`);

    // Metaflow's loading rules: one JSON object of METAFLOW_* string values; every promised key set.
    const loaded = JSON.parse(text) as unknown;
    expect(loaded !== null && typeof loaded === 'object' && !Array.isArray(loaded)).toBe(true);
    const values = loaded as Record<string, unknown>;
    for (const [k, v] of Object.entries(values)) {
      expect(k).toMatch(/^METAFLOW_[A-Z0-9_]+$/);
      expect(typeof v, k).toBe('string');
    }
    const promised = compiled.configOutputs.map((c) => c.key);
    if (compiled.stackOutputs.some((s) => s.name === 'MetadataApiKeyId')) promised.push('METAFLOW_SERVICE_AUTH_KEY');
    for (const key of promised) expect(values[key], key).toBeTruthy();
    expect(Object.keys(values).sort()).toEqual([...promised].sort());
    // Metaflow needs these to run anything remotely; every example deploys an S3 datastore.
    expect(values.METAFLOW_DEFAULT_DATASTORE).toBe('s3');
    expect(values.METAFLOW_DATASTORE_SYSROOT_S3).toMatch(/^s3:\/\/[a-z0-9.-]+\/.+/);
    if ('METAFLOW_DEFAULT_METADATA' in values) expect(values.METAFLOW_SERVICE_URL).toMatch(/^https?:\/\//);
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
});
