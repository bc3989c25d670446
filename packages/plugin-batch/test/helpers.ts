import { compileError, compileManifest, diagnosticsOf, fakeDatastore, fakeNetwork } from '@mfinfra/core/testing';
import type { Plugin } from '@mfinfra/core/plugin';
import batchPlugin from '../src/index.js';

export interface FakeOptions {
  network?: Plugin<any, any>;
  datastore?: Plugin<any, any>;
}

const plugins = (o: FakeOptions) => ({
  network: o.network ?? fakeNetwork(),
  datastore: o.datastore ?? fakeDatastore(),
  batch: batchPlugin,
});

/** A manifest with the three plugins and the given `batch:` section (YAML, indented by 2). */
export function manifest(batchSection: string, stackName = 'mf-test', tags: Record<string, string> = {}): string {
  const tagLines = Object.entries(tags)
    .map(([k, v]) => `    ${k}: ${v}\n`)
    .join('');
  return (
    `version: 1\nstack:\n  name: ${stackName}\n  region: us-west-2\n${tagLines ? `  tags:\n${tagLines}` : ''}` +
    `plugins: [network, datastore, batch]\n${batchSection ? `batch:\n${batchSection}` : ''}`
  );
}

export function compileBatch(yaml: string, o: FakeOptions = {}) {
  return compileManifest(yaml, { plugins: plugins(o) });
}

export function compileBatchError(yaml: string, o: FakeOptions = {}) {
  return compileError(yaml, { plugins: plugins(o) });
}

/** Each diagnostic as `line:column code message` (what a user sees, without the frame). */
export async function problems(yaml: string, o: FakeOptions = {}): Promise<string[]> {
  const e = await compileBatchError(yaml, o);
  return diagnosticsOf(e).map((d) => `${d.loc ? `${d.loc.line}:${d.loc.column}` : '-'} ${d.pluginCode ?? d.code} ${d.message}`);
}
