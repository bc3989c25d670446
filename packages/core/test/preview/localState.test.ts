import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAppliedState, stateFilePath, writeAppliedState } from '../../src/state/localState.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'mfinfra-state-'));

describe('local applied state (.mfinfra/state/<stack>.json)', () => {
  it('is absent before the first apply', async () => {
    expect(await readAppliedState(tmp(), 'metaflow-prod')).toBeUndefined();
  });

  it('round-trips the applied template with the time of the apply, creating the folder, leaving no temporary file', async () => {
    const dir = tmp();
    const template = { Resources: { B: { Type: 'AWS::S3::Bucket' } } };
    const before = Date.now();
    await writeAppliedState(dir, 'metaflow-prod', template);
    const state = await readAppliedState(dir, 'metaflow-prod');
    expect(state?.template).toEqual(template);
    expect(Date.parse(state!.appliedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(stateFilePath(dir, 'metaflow-prod')).toBe(path.join(dir, '.mfinfra', 'state', 'metaflow-prod.json'));
    expect(readdirSync(path.join(dir, '.mfinfra', 'state'))).toEqual(['metaflow-prod.json']);
    expect(JSON.parse(readFileSync(stateFilePath(dir, 'metaflow-prod'), 'utf8'))).toMatchObject({ version: 1, stackName: 'metaflow-prod' });
  });

  it('overwrites the previous state', async () => {
    const dir = tmp();
    await writeAppliedState(dir, 's', { Resources: { A: { Type: 'AWS::SNS::Topic' } } });
    await writeAppliedState(dir, 's', { Resources: { B: { Type: 'AWS::SQS::Queue' } } });
    expect((await readAppliedState(dir, 's'))?.template).toEqual({ Resources: { B: { Type: 'AWS::SQS::Queue' } } });
  });

  it('says what to do when the state file is damaged', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, '.mfinfra', 'state'), { recursive: true });
    writeFileSync(stateFilePath(dir, 'prod'), '{"template": ');
    await expect(readAppliedState(dir, 'prod')).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
      message: expect.stringContaining('is not valid JSON'),
      hint: expect.stringContaining('--against'),
    });
    writeFileSync(stateFilePath(dir, 'prod'), '{"appliedAt": "2026-11-26T10:00:00Z"}');
    await expect(readAppliedState(dir, 'prod')).rejects.toMatchObject({ message: expect.stringContaining('has no "template" object') });
  });

  it('refuses a stack name that could escape the state folder', async () => {
    await expect(writeAppliedState(tmp(), '../../etc/x', {})).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
  });
});
