import { describe, expect, it } from 'vitest';
import type { ResolvedManifest } from '../load/project.js';
import { typedConfirmationReason } from './destroy.js';

function manifest(stack: Partial<ResolvedManifest['stack']>, profile?: string): ResolvedManifest {
  return {
    version: 1,
    stack: { name: 'metaflow-dev', tags: {}, terminationProtection: false, ...stack },
    plugins: [],
    outputs: { metaflowConfig: { enabled: true, ...(profile ? { profile } : {}) }, files: [] },
  };
}

describe('destroy asks for the stack name to be typed', () => {
  it('for a protected stack, or a production-like name, Metaflow profile or tag', () => {
    expect(typedConfirmationReason(manifest({}), true)).toBe('the stack has termination protection');
    expect(typedConfirmationReason(manifest({ terminationProtection: true }), false)).toBe('the stack has termination protection');
    expect(typedConfirmationReason(manifest({ name: 'metaflow-prod' }), false)).toBe('the stack name metaflow-prod looks like production');
    expect(typedConfirmationReason(manifest({}, 'production'), false)).toBe('the manifest writes the Metaflow profile production');
    expect(typedConfirmationReason(manifest({ tags: { env: 'Production' } }), false)).toBe('the stack is tagged env=Production');
  });

  it('not for a development stack (a y/N question is enough); "product" or "reproduce" are not production', () => {
    expect(typedConfirmationReason(manifest({}), false)).toBeUndefined();
    expect(
      typedConfirmationReason(manifest({ name: 'product-search', tags: { team: 'reproducibility' } }, 'products'), false),
    ).toBeUndefined();
  });
});
