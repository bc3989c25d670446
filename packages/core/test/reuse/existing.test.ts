/**
 * What `existing:` sections share: the schema rule refusing creating keys beside `existing` (as a
 * user meets it: a compile error at the key), the one-account check, and "not found" as undefined.
 */
import { describe, expect, it } from 'vitest';
import { definePlugin, keysRefusedWithExisting, reportMixedAccounts, undefinedIfNotFound } from '../../src/plugin.js';
import { compileManifest, problems } from '../../src/testing.js';

const stores = definePlugin({
  name: 'test:stores',
  apiVersion: 1,
  key: 'stores',
  schema: {
    type: 'object',
    additionalProperties: false,
    dependencies: keysRefusedWithExisting(['bucket', 'table'], (k) => `stores.existing creates nothing: remove ${k}`),
    properties: { existing: { type: 'string' }, bucket: { type: 'string' }, table: { type: 'string' } },
  },
  resources: () => ({}),
});
const manifest = (section: string) => `version: 1\nstack: { name: demo, region: us-west-2 }\nplugins: [./stores.mjs]\nstores:\n${section}`;

describe('keysRefusedWithExisting', () => {
  it('refuses each creating key beside existing at its own position, and nothing without existing', async () => {
    const found = await problems(manifest('  existing: old\n  bucket: b\n  table: t\n'), { plugins: { './stores.mjs': stores } });
    expect(found).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:3",
          "code": "MANIFEST_INVALID",
          "hint": "stores.existing creates nothing: remove bucket",
          "message": "stores.bucket is not allowed here",
        },
        {
          "at": "metaflow.infra.yaml:7:3",
          "code": "MANIFEST_INVALID",
          "hint": "stores.existing creates nothing: remove table",
          "message": "stores.table is not allowed here",
        },
      ]
    `);
    const compiled = await compileManifest(manifest('  bucket: b\n  table: t\n'), { plugins: { './stores.mjs': stores } });
    expect(compiled.warnings).toEqual([]);
    expect(compiled.resourceOwners).toEqual({});
  });
});

describe('reportMixedAccounts', () => {
  it('reports every key whose account is not the first key’s, at existing.<key>', () => {
    const reports: unknown[] = [];
    const ctx = { report: (message: string, options: object) => reports.push({ message, ...options }) };
    reportMixedAccounts(
      ctx,
      [
        ['queue', '111111111111'],
        ['role', '222222222222'],
        ['other', '111111111111'],
      ],
      { section: 'batch', code: 'X_OTHER_ACCOUNT', hint: 'one account' },
    );
    expect(reports).toEqual([
      {
        message: 'batch.existing.role is in account 222222222222, but queue is in account 111111111111',
        path: ['existing', 'role'],
        code: 'X_OTHER_ACCOUNT',
        hint: 'one account',
      },
    ]);
    reportMixedAccounts(ctx, [], { section: 'batch', code: 'X', hint: 'h' });
    expect(reports).toHaveLength(1);
  });
});

describe('undefinedIfNotFound', () => {
  it('reads the named not-found error as undefined and throws any other failure', async () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    expect(await undefinedIfNotFound('ResourceNotFoundException', () => Promise.resolve({ Table: 't' }))).toEqual({ Table: 't' });
    expect(
      await undefinedIfNotFound('ResourceNotFoundException', () => Promise.reject(named('ResourceNotFoundException'))),
    ).toBeUndefined();
    await expect(undefinedIfNotFound('ResourceNotFoundException', () => Promise.reject(named('AccessDeniedException')))).rejects.toThrow(
      'AccessDeniedException',
    );
  });
});
