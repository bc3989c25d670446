import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { definePlugin } from '@mfinfra/core/plugin';
import { compileError, compileManifest } from '@mfinfra/core/testing';
import datastore, { type DatastoreApi } from '../src/index.js';

const run = promisify(execFile);

/** A plugin that grants a role the datastore's read/write statements, as batch and metadata do. */
export const consumer = definePlugin({
  name: 'test:consumer',
  apiVersion: 1,
  key: 'consumer',
  schema: { type: 'object' },
  optionalSection: true,
  requires: ['datastore'],
  resources: (ctx) => {
    const ds = ctx.use<DatastoreApi>('datastore');
    return {
      ConsumerPolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Version: '2012-10-17', Statement: ds.readWriteStatements() } },
      },
    };
  },
});

export const plugins = { datastore, consumer };

export function compile(yaml: string) {
  return compileManifest(yaml, { plugins });
}

/** The problems a manifest fails with, as a user sees them: code, where, what. */
export async function problems(yaml: string) {
  const e = await compileError(yaml, { plugins });
  const list = e.diagnostics.length ? e.diagnostics : [{ code: e.code, message: e.message, loc: e.loc, pluginCode: e.pluginCode, hint: e.hint }];
  return list.map((d) => ({
    code: d.code,
    ...(d.pluginCode ? { pluginCode: d.pluginCode } : {}),
    at: d.loc ? `${path.basename(d.loc.file)}:${d.loc.line}:${d.loc.column}` : undefined,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
  }));
}

export interface CfnLintFinding {
  Rule: { Id: string };
  Message: string;
  Filename: string;
}
export type CfnLint = (bodies: Record<string, string>) => Promise<Record<string, string[]>>;

/**
 * cfn-lint when installed (undefined otherwise). Lints several templates in one run (cfn-lint
 * takes seconds to load its specs) and returns each template's findings as "RULE: message".
 */
export async function findCfnLint(): Promise<CfnLint | undefined> {
  try {
    await run('cfn-lint', ['--version']);
  } catch {
    return undefined;
  }
  return async (bodies) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mfinfra-datastore-'));
    try {
      const files: Record<string, string> = {};
      for (const [name, body] of Object.entries(bodies)) {
        files[name] = path.join(dir, `${name}.json`);
        await writeFile(files[name], body);
      }
      let stdout: string;
      try {
        stdout = (await run('cfn-lint', ['--format', 'json', ...Object.values(files)], { maxBuffer: 16 * 1024 * 1024 })).stdout;
      } catch (e) {
        stdout = (e as { stdout?: string }).stdout ?? '';
        if (!stdout.trim().startsWith('[')) throw e;
      }
      const findings = JSON.parse(stdout || '[]') as CfnLintFinding[];
      return Object.fromEntries(
        Object.entries(files).map(([name, file]) => [
          name,
          findings.filter((f) => path.resolve(f.Filename) === file).map((f) => `${f.Rule.Id}: ${f.Message}`),
        ]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
