/**
 * `mfinfra init --from-config [path]`: a Metaflow config file (what `metaflow configure aws`, the
 * official templates or `mfinfra apply` wrote) → a manifest whose every section reuses what the
 * config names (`existing:`), so the manifest's config outputs are the config's values. Keys it
 * cannot map are listed with why, never dropped silently; the auth key is never copied (a manifest
 * names where a key comes from, not the key).
 *
 * The file: the path given (a file, or a folder holding config.json / config_<METAFLOW_PROFILE>.json),
 * else `$METAFLOW_HOME` (default ~/.metaflowconfig), as Metaflow itself reads it.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fail } from '../errors.js';
import { metaflowConfigFileName, metaflowHome } from '../outputs/metaflowConfig.js';

/** One config key and where it went in the manifest, or why it did not. */
export interface ConfigKeyFate {
  key: string;
  /** Manifest path it became (`batch.existing.jobQueue`), or undefined when not mapped. */
  to?: string;
  /** Why it is not in the manifest (unmapped keys only). */
  why?: string;
}

export interface FromConfigResult {
  /** The manifest text. */
  text: string;
  /** The config file read. */
  configFile: string;
  plugins: string[];
  mapped: ConfigKeyFate[];
  unmapped: ConfigKeyFate[];
}

export interface FromConfigOptions {
  stackName?: string;
  region?: string;
}

/** Which config file Metaflow would read: `given` (file or folder), else $METAFLOW_HOME's, with METAFLOW_PROFILE. */
export async function metaflowConfigPath(given: string | undefined, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const name = metaflowConfigFileName(env.METAFLOW_PROFILE || undefined);
  if (given === undefined || given === '') return path.join(metaflowHome(env), name);
  const p = path.resolve(cwd, given);
  const s = await stat(p).catch(() => undefined);
  return s?.isDirectory() ? path.join(p, name) : p;
}

/** Read and parse the config; one clear error when it cannot be used. */
export async function readMetaflowConfig(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail.FILE_UNREADABLE(`cannot read the Metaflow config ${file} (${code ?? (e as Error).message})`, {
      hint:
        code === 'ENOENT'
          ? 'give its path (mfinfra init --from-config path/to/config.json), or set METAFLOW_HOME / METAFLOW_PROFILE to where Metaflow keeps it'
          : 'check the file permissions',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw fail.METAFLOW_CONFIG_INVALID(`${file} is not JSON (${(e as Error).message})`, {
      hint: 'a Metaflow config is one JSON object of METAFLOW_* keys (metaflow configure show prints yours)',
    });
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw fail.METAFLOW_CONFIG_INVALID(`${file} is not a JSON object of METAFLOW_* keys`, {
      hint: 'a Metaflow config is one JSON object, e.g. {"METAFLOW_DATASTORE_SYSROOT_S3": "s3://bucket/metaflow"}',
    });
  }
  const record = data as Record<string, unknown>;
  if (!Object.keys(record).some((k) => k.startsWith('METAFLOW_'))) {
    throw fail.METAFLOW_CONFIG_INVALID(`${file} has no Metaflow keys (METAFLOW_*)`, {
      hint: 'give the Metaflow config of the deployment to reuse (e.g. ~/.metaflowconfig/config.json)',
    });
  }
  return record;
}

const yamlString = (v: string) => JSON.stringify(v);

/** `s3://bucket/some/prefix` → { bucket, prefix } (prefix without slashes at either end). */
function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) return undefined;
  return { bucket: m[1]!, prefix: m[2]!.replace(/^\/+|\/+$/g, '') };
}

/**
 * The manifest for a config: which sections, what each holds, and the fate of every key. Pure.
 * Each section is written only when the config names all it needs (a queue without its job role
 * cannot be reused), and then every key it took is listed as mapped.
 */
export function manifestFromConfig(config: Record<string, unknown>, file: string, options: FromConfigOptions = {}): FromConfigResult {
  const str = (k: string) => (typeof config[k] === 'string' && config[k] !== '' ? (config[k] as string) : undefined);
  const mapped: ConfigKeyFate[] = [];
  const unmapped: ConfigKeyFate[] = [];
  const taken = new Set<string>();
  const map = (key: string, to: string) => {
    mapped.push({ key, to });
    taken.add(key);
  };
  /** Write `<field>: <value>` for a config key that is set (field with its indent), and note where the key went. */
  const putIfSet = (lines: string[], field: string, key: string, to: string) => {
    const value = str(key);
    if (!value) return;
    lines.push(`${field}: ${yamlString(value)}`);
    map(key, to);
  };
  const skip = (key: string, why: string) => {
    unmapped.push({ key, why });
    taken.add(key);
  };
  const sections: string[] = [];
  const plugins: string[] = [];

  // datastore
  const sysroot = str('METAFLOW_DATASTORE_SYSROOT_S3');
  const root = sysroot ? parseS3Url(sysroot) : undefined;
  if (sysroot && (!root || root.prefix === '')) {
    skip(
      'METAFLOW_DATASTORE_SYSROOT_S3',
      root ? 'the datastore needs a key prefix under the bucket (s3://bucket/prefix)' : 'not an s3:// URL',
    );
  }
  if (root && root.prefix !== '') {
    const lines = ['datastore:', '  existing:', `    bucket: ${yamlString(root.bucket)}`, `  sysroot: ${yamlString(root.prefix)}`];
    map('METAFLOW_DATASTORE_SYSROOT_S3', 'datastore.existing.bucket, datastore.sysroot');
    const datatools = str('METAFLOW_DATATOOLS_S3ROOT');
    if (datatools) {
      const dt = parseS3Url(datatools);
      if (dt && dt.bucket === root.bucket && dt.prefix !== '') {
        lines.push(`  datatools: ${yamlString(dt.prefix)}`);
        map('METAFLOW_DATATOOLS_S3ROOT', 'datastore.datatools');
      } else {
        skip(
          'METAFLOW_DATATOOLS_S3ROOT',
          dt
            ? `in another bucket (${dt.bucket}) or without a prefix: mfinfra keeps datatools under the datastore bucket`
            : 'not an s3:// URL',
        );
      }
    }
    const kind = str('METAFLOW_DEFAULT_DATASTORE');
    if (kind === 's3') map('METAFLOW_DEFAULT_DATASTORE', 'datastore (always s3)');
    sections.push(lines.join('\n'));
    plugins.push('datastore');
  } else if (str('METAFLOW_DATATOOLS_S3ROOT')) {
    skip('METAFLOW_DATATOOLS_S3ROOT', 'no METAFLOW_DATASTORE_SYSROOT_S3 to reuse the bucket of');
  }
  if (str('METAFLOW_DEFAULT_DATASTORE') && !taken.has('METAFLOW_DEFAULT_DATASTORE')) {
    skip(
      'METAFLOW_DEFAULT_DATASTORE',
      `"${str('METAFLOW_DEFAULT_DATASTORE')}" without an S3 datastore to reuse: mfinfra deploys the s3 datastore only`,
    );
  }

  // batch (needs the datastore: Metaflow stages code in S3)
  const queue = str('METAFLOW_BATCH_JOB_QUEUE');
  const jobRole = str('METAFLOW_ECS_S3_ACCESS_IAM_ROLE');
  const hasBatch = Boolean(queue && jobRole && plugins.includes('datastore'));
  if (hasBatch) {
    const lines = ['batch:', '  existing:', `    jobQueue: ${yamlString(queue!)}`, `    jobRole: ${yamlString(jobRole!)}`];
    map('METAFLOW_BATCH_JOB_QUEUE', 'batch.existing.jobQueue');
    map('METAFLOW_ECS_S3_ACCESS_IAM_ROLE', 'batch.existing.jobRole');
    putIfSet(lines, '    fargateExecutionRole', 'METAFLOW_ECS_FARGATE_EXECUTION_ROLE', 'batch.existing.fargateExecutionRole');
    if (str('METAFLOW_BATCH_CONTAINER_REGISTRY') || str('METAFLOW_BATCH_CONTAINER_IMAGE')) {
      lines.push('  container:');
      putIfSet(lines, '    registry', 'METAFLOW_BATCH_CONTAINER_REGISTRY', 'batch.container.registry');
      putIfSet(lines, '    image', 'METAFLOW_BATCH_CONTAINER_IMAGE', 'batch.container.image');
    }
    sections.push(lines.join('\n'));
    plugins.push('batch');
  } else {
    const why = !plugins.includes('datastore')
      ? 'AWS Batch needs the S3 datastore, which the config does not name'
      : !queue
        ? 'no METAFLOW_BATCH_JOB_QUEUE to reuse'
        : 'no METAFLOW_ECS_S3_ACCESS_IAM_ROLE (the job role) beside the queue';
    for (const k of [
      'METAFLOW_BATCH_JOB_QUEUE',
      'METAFLOW_ECS_S3_ACCESS_IAM_ROLE',
      'METAFLOW_ECS_FARGATE_EXECUTION_ROLE',
      'METAFLOW_BATCH_CONTAINER_REGISTRY',
      'METAFLOW_BATCH_CONTAINER_IMAGE',
    ]) {
      if (str(k)) skip(k, why);
    }
  }

  // metadata
  const serviceUrl = str('METAFLOW_SERVICE_URL');
  if (serviceUrl && /^https?:\/\/[^\s/?#]+(\/\S*)?$/.test(serviceUrl)) {
    const lines = ['metadata:', '  existing:', `    serviceUrl: ${yamlString(serviceUrl)}`];
    map('METAFLOW_SERVICE_URL', 'metadata.existing.serviceUrl');
    putIfSet(lines, '    internalUrl', 'METAFLOW_SERVICE_INTERNAL_URL', 'metadata.existing.internalUrl');
    if (str('METAFLOW_DEFAULT_METADATA') === 'service') map('METAFLOW_DEFAULT_METADATA', 'metadata (always service)');
    sections.push(lines.join('\n'));
    plugins.push('metadata');
  } else {
    if (serviceUrl) skip('METAFLOW_SERVICE_URL', 'not an http(s) URL');
    if (str('METAFLOW_SERVICE_INTERNAL_URL')) skip('METAFLOW_SERVICE_INTERNAL_URL', 'no METAFLOW_SERVICE_URL beside it');
  }
  if (str('METAFLOW_DEFAULT_METADATA') && !taken.has('METAFLOW_DEFAULT_METADATA')) {
    skip('METAFLOW_DEFAULT_METADATA', `"${str('METAFLOW_DEFAULT_METADATA')}" without a metadata service to use`);
  }
  if (config.METAFLOW_SERVICE_AUTH_KEY !== undefined) {
    skip(
      'METAFLOW_SERVICE_AUTH_KEY',
      'a manifest never holds the key itself: name where it comes from, metadata.existing.authKey.apiKeyId (aws apigateway get-api-keys) or authKey.secret (a Secrets Manager secret); apply then writes it to the config',
    );
  }

  // scheduling (needs batch: Step Functions runs Metaflow's steps on it)
  const sfnRole = str('METAFLOW_SFN_IAM_ROLE');
  const table = str('METAFLOW_SFN_DYNAMO_DB_TABLE');
  const schedulingKeys = [
    'METAFLOW_SFN_IAM_ROLE',
    'METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE',
    'METAFLOW_SFN_DYNAMO_DB_TABLE',
    'METAFLOW_SFN_STATE_MACHINE_PREFIX',
    'METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN',
  ];
  if (sfnRole && table && hasBatch) {
    const lines = ['scheduling:'];
    putIfSet(lines, '  stateMachinePrefix', 'METAFLOW_SFN_STATE_MACHINE_PREFIX', 'scheduling.stateMachinePrefix');
    lines.push('  existing:', `    stepFunctionsRole: ${yamlString(sfnRole)}`);
    map('METAFLOW_SFN_IAM_ROLE', 'scheduling.existing.stepFunctionsRole');
    putIfSet(lines, '    eventBridgeRole', 'METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE', 'scheduling.existing.eventBridgeRole');
    lines.push(`    table: ${yamlString(table)}`);
    map('METAFLOW_SFN_DYNAMO_DB_TABLE', 'scheduling.existing.table');
    putIfSet(lines, '    executionLogGroup', 'METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN', 'scheduling.existing.executionLogGroup');
    sections.push(lines.join('\n'));
    plugins.push('scheduling');
  } else {
    const why = !hasBatch
      ? 'Step Functions runs Metaflow steps on AWS Batch, which the config does not name fully'
      : !sfnRole
        ? 'no METAFLOW_SFN_IAM_ROLE to reuse'
        : 'no METAFLOW_SFN_DYNAMO_DB_TABLE beside the Step Functions role';
    for (const k of schedulingKeys) if (str(k)) skip(k, why);
  }

  // everything else: listed, never dropped silently
  for (const key of Object.keys(config).sort()) {
    if (taken.has(key)) continue;
    const value = config[key];
    if (value === '' || value === null) skip(key, 'empty in the config');
    else if (!key.startsWith('METAFLOW_')) skip(key, 'not a Metaflow setting');
    else
      skip(
        key,
        'no mfinfra section sets it; keep it in your Metaflow config (mfinfra merges into the file and keeps keys it does not set)',
      );
  }

  if (plugins.length === 0) {
    throw fail.METAFLOW_CONFIG_INVALID(`${file} names nothing mfinfra can reuse (no S3 datastore, metadata service, queue or roles)`, {
      hint: `its keys: ${Object.keys(config).sort().join(', ')}; a deployment config has at least METAFLOW_DATASTORE_SYSROOT_S3 or METAFLOW_SERVICE_URL`,
    });
  }

  const stackName = options.stackName ?? 'metaflow';
  const region = options.region ?? regionOf(config);
  const header = [
    `# Written by mfinfra init --from-config from ${file}.`,
    '# Every section reuses what that config names (existing:); nothing is created. mfinfra plan and',
    '# apply check each name and ARN against AWS first.',
  ];
  if (unmapped.length) {
    header.push('# Not mapped (see `mfinfra init --from-config` output for why):');
    for (const u of unmapped) header.push(`#   ${u.key}`);
  }
  const text = [
    ...header,
    'version: 1',
    '',
    'stack:',
    `  name: ${yamlString(stackName)}`,
    ...(region ? [`  region: ${yamlString(region)}`] : []),
    '',
    `plugins: [${plugins.join(', ')}]`,
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  return { text, configFile: file, plugins, mapped, unmapped };
}

/** The region the config's ARNs and AWS URLs name (the first one), when --region is not given. */
function regionOf(config: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(config).sort()) {
    const v = config[key];
    if (typeof v !== 'string') continue;
    const m =
      /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-[0-9]):/.exec(v) ?? /\.([a-z]{2}(?:-[a-z]+)+-[0-9])\.amazonaws\.com/.exec(v);
    if (m) return m[1];
  }
  return undefined;
}

export interface InitFromConfigInput extends FromConfigOptions {
  /** The config file, or a folder holding it; default: $METAFLOW_HOME's (METAFLOW_PROFILE picks config_<profile>.json). */
  config?: string;
  /** Folder to write into (created if missing). Default: the working directory. */
  dir?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Read the config, build the manifest, write it atomically, never over an existing manifest. Every
 * problem (no such file, not JSON, no Metaflow keys, a manifest there already) stops before anything
 * is written.
 */
export async function initFromConfig(input: InitFromConfigInput = {}): Promise<FromConfigResult & { manifestFile: string }> {
  const { assertNoManifest, INIT_MANIFEST_NAME } = await import('./init.js');
  const { writeFileAtomic } = await import('../io/atomicWrite.js');
  const cwd = input.cwd ?? process.cwd();
  const dir = path.resolve(cwd, input.dir ?? '.');
  await assertNoManifest(dir);
  const file = await metaflowConfigPath(input.config, cwd, input.env ?? process.env);
  const config = await readMetaflowConfig(file);
  const result = manifestFromConfig(config, file, input);
  const manifestFile = path.join(dir, INIT_MANIFEST_NAME);
  await writeFileAtomic(manifestFile, result.text, { createDirs: true });
  return { ...result, manifestFile };
}
