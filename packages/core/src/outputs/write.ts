import { chmod, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fail } from '../errors.js';
import { writeFilesAtomic, type AtomicWriteEntry } from '../io/atomicWrite.js';
import { checkWritable, resolveDestination, type DestinationRules } from './destinations.js';
import { unifiedDiff } from './diff.js';
import { formatEnvFile } from './envFile.js';
import {
  fingerprint,
  formatMetaflowConfig,
  mergeConfig,
  metaflowConfigFileName,
  metaflowHome,
  parseMetaflowConfig,
  parseRecord,
  recordPathFor,
  type WriteRecord,
} from './metaflowConfig.js';
import { REDACTED, redactText, resolveConfigValues, sortRecord } from './resolve.js';
import type { OutputsSection } from './schema.js';
import { renderTemplate, type TemplateContext } from './templates.js';
import type { ConfigConflict, OutputFileResult, WriteOutputsInput, WriteOutputsResult } from './types.js';

interface Planned {
  result: OutputFileResult;
  /** The real content (with secrets). */
  content: string;
  /** The file's content before (with secrets), when it exists. */
  old?: string;
  /** The sidecar record to write with the Metaflow config. */
  record?: { path: string; content: string; changed: boolean };
  /** How errors name it. */
  label?: string;
}

/**
 * Resolve the config values of a deployed stack and write Metaflow's config file, the env file and
 * the user's templates. Everything is rendered and checked first (missing outputs, template errors,
 * conflicts with hand-set keys, unwritable destinations); only then are files written, each
 * atomically. Returns what was written with secrets redacted. Prints nothing.
 */
export async function writeConfigOutputs(input: WriteOutputsInput): Promise<WriteOutputsResult> {
  const { compiled, stackOutputs, region } = input;
  const opts = input.options ?? {};
  const env = opts.env ?? process.env;
  const section = (compiled.manifest.outputs ?? {}) as OutputsSection;
  const baseDir = path.dirname(compiled.file);
  const home = metaflowHome(env);
  const rules: DestinationRules = { baseDir, allowedRoots: [home], env };

  // 1. Values: literals and stack outputs, then what the plugins' deployedOutputs hooks read from
  //    AWS (an API key's value, say: a secret, written only to Metaflow's config file).
  const { runDeployedHooks } = await import('../plugins/deployed.js');
  const { values, secretKeys } = await runDeployedHooks(compiled, {
    values: resolveConfigValues(compiled, stackOutputs),
    stackOutputs,
    signal: input.signal,
    aws: async () => {
      if (input.access) return input.access;
      const { createAwsClients } = await import('../aws/clients.js');
      return createAwsClients({ ...opts.aws, region }, env);
    },
  });
  const configValues = sortRecord(values);
  const secrets = [...secretKeys].map((k) => configValues[k]!);
  const publicValues = Object.fromEntries(Object.entries(configValues).filter(([k]) => !secretKeys.has(k)));
  const notes: string[] = [];

  // 2. Plan every file.
  const planned: Planned[] = [];
  const conflicts: { file: string; list: ConfigConflict[] }[] = [];
  if (section.metaflowConfig?.enabled !== false) {
    const mc = section.metaflowConfig ?? {};
    const file = mc.path
      ? await resolveDestination(mc.path, 'outputs.metaflowConfig', rules)
      : path.join(home, metaflowConfigFileName(mc.profile));
    const p = await planMetaflowConfig(
      file,
      configValues,
      secretKeys,
      secrets,
      compiled.stackName,
      region,
      opts.force === true,
      opts.now ?? (() => new Date()),
    );
    planned.push(p);
    if (p.result.conflicts?.length) conflicts.push({ file, list: p.result.conflicts });
    notes.push(
      `Metaflow does not read AWS_DEFAULT_REGION from its config file: export AWS_DEFAULT_REGION=${region} (or set the region in ~/.aws/config)${section.envFile ? '; the env file sets it' : ''}`,
    );
    if (mc.profile && !mc.path) notes.push(`select this config with METAFLOW_PROFILE=${mc.profile}`);
    else if (mc.path)
      notes.push(
        `Metaflow reads this file when it is $METAFLOW_HOME/config.json (or config_<profile>.json with METAFLOW_PROFILE), or via \`metaflow configure import\``,
      );
  }
  if (section.envFile) {
    const spec = typeof section.envFile === 'string' ? { path: section.envFile } : section.envFile;
    const file = await resolveDestination(spec.path, 'outputs.envFile', rules);
    const content = formatEnvFile(publicValues, region, compiled.stackName, spec.format ?? 'shell');
    planned.push(await planPlain('env-file', file, content, 0o644, secrets));
  }
  const context: TemplateContext = {
    config: publicValues,
    stack: { name: compiled.stackName, region },
    outputs: { ...stackOutputs },
  };
  for (const [i, f] of (section.files ?? []).entries()) {
    const templateFile = path.resolve(baseDir, f.template);
    let source: string;
    try {
      source = await readFile(templateFile, 'utf8');
    } catch (e) {
      throw fail.FILE_UNREADABLE(
        `cannot read template ${f.template} (outputs.files[${i}].template): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        {
          hint: `template paths are relative to the manifest folder ${baseDir}`,
        },
      );
    }
    const content = renderTemplate(source, templateFile, context);
    const file = await resolveDestination(f.path, `outputs.files[${i}]`, rules);
    const mode = f.mode ? parseInt(f.mode, 8) : 0o644;
    const p = await planPlain('template', file, content, mode, secrets);
    p.result.template = templateFile;
    p.label = f.template;
    planned.push(p);
  }

  // 3. Check before writing anything.
  const seen = new Map<string, string>();
  for (const p of planned) {
    const other = seen.get(p.result.path);
    const label = p.label ?? p.result.kind;
    if (other) {
      throw fail.OUTPUT_UNWRITABLE(`two outputs write the same file ${p.result.path} (${other} and ${label})`, {
        hint: 'give each output its own path',
        kind: 'invalid',
      });
    }
    seen.set(p.result.path, label);
  }
  if (!opts.print) {
    if (conflicts.length && !opts.force) {
      const lines = conflicts.flatMap((c) => c.list.map((k) => `  ${k.key}: file has ${k.current}, deployment has ${k.deployed}`));
      throw fail.OUTPUT_CONFLICT(
        `${conflicts.map((c) => c.file).join(', ')} has ${lines.length === 1 ? 'a setting' : 'settings'} changed by hand that the deployment would overwrite:\n${lines.join('\n')}`,
        {
          hint: 'nothing was written; keep your values (remove the keys from the file), or pass --force to overwrite them (a backup is kept)',
        },
      );
    }
    for (const p of planned) {
      if (p.result.status !== 'unchanged')
        await checkWritable(p.result.path, p.result.kind === 'template' ? 'template output' : p.result.kind);
    }
  }

  // 4. Write, all or nothing: every file (backups and records included) is written in full beside its
  // destination first, then all are renamed into place; a failure on the way puts back what changed.
  if (!opts.print) {
    const protect = [
      { path: compiled.file, what: 'the manifest' },
      ...(section.files ?? []).map((f) => ({ path: path.resolve(baseDir, f.template), what: `the template source ${f.template}` })),
    ];
    const writes: AtomicWriteEntry[] = [];
    for (const p of planned) {
      if (p.result.status !== 'unchanged') {
        if (p.old !== undefined && p.result.backup) writes.push({ file: p.result.backup, data: p.old, options: { mode: 0o600, protect } });
        writes.push({ file: p.result.path, data: p.content, options: { createDirs: true, mode: p.result.mode, protect } });
      }
      if (p.record?.changed)
        writes.push({ file: p.record.path, data: p.record.content, options: { createDirs: true, mode: 0o600, protect } });
    }
    await writeFilesAtomic(writes);
    for (const p of planned) {
      if (p.result.status !== 'unchanged') p.result.written = true;
      else if (p.result.kind === 'metaflow-config') await tightenMode(p.result.path, p.result.mode);
    }
  }
  if (conflicts.length && opts.force)
    notes.push(`overwrote settings changed by hand: ${conflicts.flatMap((c) => c.list.map((k) => k.key)).join(', ')}`);

  return {
    stackName: compiled.stackName,
    region,
    values: Object.fromEntries(Object.entries(configValues).map(([k, v]) => [k, secretKeys.has(k) ? REDACTED : v])),
    secretKeys: [...secretKeys].sort(),
    files: planned.map((p) => p.result),
    notes,
  };
}

/** An unchanged config file that others may read (e.g. made 0644 by hand) still holds the API key: make it 0600. */
async function tightenMode(file: string, mode: number): Promise<void> {
  const info = await stat(file);
  if ((info.mode & 0o777 & ~mode) !== 0) await chmod(file, mode);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    // Missing, or a parent is not a folder (checkWritable reports that before anything is written).
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') {
      throw fail.OUTPUT_UNWRITABLE(`cannot write ${file}: it is a folder`, {
        hint: 'choose another path',
      });
    }
    throw fail.OUTPUT_UNWRITABLE(`cannot read ${file} to compare it: ${(e as Error).message}`, {
      hint: 'check the file permissions',
    });
  }
}

async function planPlain(kind: OutputFileResult['kind'], file: string, content: string, mode: number, secrets: string[]): Promise<Planned> {
  const old = await readIfExists(file);
  const status = old === undefined ? 'created' : old === content ? 'unchanged' : 'updated';
  return {
    content,
    old,
    result: {
      kind,
      path: file,
      mode,
      status,
      written: false,
      content: redactText(content, secrets),
      diff: status === 'updated' ? unifiedDiff(redactText(old!, secrets), redactText(content, secrets), file, file) : '',
    },
  };
}

async function planMetaflowConfig(
  file: string,
  values: Record<string, string>,
  secretKeys: Set<string>,
  secrets: string[],
  stack: string,
  region: string,
  force: boolean,
  now: () => Date,
): Promise<Planned> {
  const old = await readIfExists(file);
  const recordPath = recordPathFor(file);
  const record = parseRecord(await readIfExists(recordPath));
  let existing: Record<string, unknown> | undefined;
  if (old !== undefined && old.trim() !== '') {
    try {
      existing = parseMetaflowConfig(old, file);
    } catch (e) {
      if (!force) throw e;
    }
  }
  // Secrets already in the old file are redacted too (an older API key, for instance).
  const oldSecrets = [...secretKeys].map((k) => existing?.[k]).filter((v): v is string => typeof v === 'string' && v !== '');
  const hide = [...secrets, ...oldSecrets];
  const merge = mergeConfig(existing, values, record, force);
  const content = formatMetaflowConfig(merge.next);
  const status = old === undefined ? 'created' : old === content ? 'unchanged' : 'updated';
  const written: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (merge.next[k] === v) written[k] = fingerprint(v);
  const nextRecord: WriteRecord = { generator: 'mfinfra', stack, region, updatedAt: now().toISOString(), keys: written };
  const changed = JSON.stringify(record?.keys ?? null) !== JSON.stringify(written) || record?.stack !== stack || record?.region !== region;
  const show = (key: string, v: unknown) => (secretKeys.has(key) ? REDACTED : typeof v === 'string' ? v : JSON.stringify(v));
  return {
    content,
    old,
    record: { path: recordPath, content: JSON.stringify(nextRecord, null, 2) + '\n', changed },
    result: {
      kind: 'metaflow-config',
      path: file,
      mode: 0o600,
      status,
      written: false,
      content: redactText(content, hide),
      diff: status === 'updated' ? unifiedDiff(redactText(old!, hide), redactText(content, hide), file, file) : '',
      ...(status === 'updated' ? { backup: `${file}.bak` } : {}),
      conflicts: merge.conflicts.map((c) => ({ key: c.key, current: show(c.key, c.current), deployed: show(c.key, c.deployed) })),
      keptKeys: merge.kept,
    },
  };
}
