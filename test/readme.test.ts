/** The manifest the README shows is a real one: it validates and compiles with the first-party plugins. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../packages/core/src/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('shows a manifest that compiles', async () => {
    const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
    const manifest = /```yaml\n# metaflow\.infra\.yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(manifest, 'README.md has a ```yaml block starting with # metaflow.infra.yaml').toBeDefined();
    // Compiled as if it lived in examples/, where the first-party plugins are installed.
    const result = await compile({ text: manifest!, cwd: path.join(repo, 'examples'), manifest: 'README-manifest.yaml' });
    expect(result.plugins.map((p) => p.key)).toEqual(['network', 'datastore', 'batch', 'metadata', 'scheduling']);
    expect(result.configOutputs.map((c) => c.key)).toContain('METAFLOW_BATCH_JOB_QUEUE');
  });
});
