import { describe, expect, it } from 'vitest';
import { didYouMean } from './didYouMean.js';

describe('didYouMean', () => {
  it('suggests close candidates and nothing for unrelated input', () => {
    expect(didYouMean('prioritty', ['priority', 'name'])).toBe('priority');
    expect(didYouMean('MaxVCPUs', ['maxVcpus', 'minVcpus'])).toBe('maxVcpus');
    expect(didYouMean('banana', ['priority', 'name'])).toBeUndefined();
  });
});
