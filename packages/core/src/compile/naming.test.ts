import { describe, expect, it } from 'vitest';
import { configKeyToOutputName, createNaming } from './naming.js';

describe('naming', () => {
  const naming = createNaming('metaflow-prod');

  it('makes PascalCase alphanumeric logical ids from parts', () => {
    expect(naming.logicalId('batch', 'gpu-spot', 'ComputeEnvironment')).toBe('BatchGpuSpotComputeEnvironment');
    expect(naming.logicalId('queue_2', 'x')).toBe('Queue2X');
    expect(() => naming.logicalId('--')).toThrow(/cannot make a logical id/);
  });

  it('keeps logical ids within 255 characters with a stable hash', () => {
    const long = 'a'.repeat(300);
    const id = naming.logicalId(long);
    expect(id).toHaveLength(255);
    expect(naming.logicalId(long)).toBe(id);
    expect(naming.logicalId(long + 'b')).not.toBe(id);
  });

  it('makes lowercase hyphenated physical names prefixed by the stack', () => {
    expect(naming.physicalName(['Batch', 'GPU Queue'])).toBe('metaflow-prod-batch-gpu-queue');
    expect(naming.physicalName('jobs', { separator: '_' })).toBe('metaflow_prod_jobs');
  });

  it('shortens long physical names with a stable hash suffix instead of cutting them', () => {
    const a = naming.physicalName(['x'.repeat(80), 'one'], { maxLength: 32 });
    const b = naming.physicalName(['x'.repeat(80), 'two'], { maxLength: 32 });
    expect(a).toHaveLength(32);
    expect(a).toMatch(/^metaflow-prod-x+-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(naming.physicalName(['x'.repeat(80), 'one'], { maxLength: 32 })).toBe(a);
  });

  it('names stack outputs after config keys', () => {
    expect(configKeyToOutputName('METAFLOW_DATASTORE_SYSROOT_S3')).toBe('MetaflowDatastoreSysrootS3');
    expect(configKeyToOutputName('AWS_DEFAULT_REGION')).toBe('AwsDefaultRegion');
  });
});
