import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  fingerprint,
  formatMetaflowConfig,
  mergeConfig,
  metaflowConfigFileName,
  metaflowHome,
  parseMetaflowConfig,
} from './metaflowConfig.js';

const sample = {
  METAFLOW_SERVICE_URL: 'https://x.execute-api.eu-west-1.amazonaws.com/api/',
  METAFLOW_DEFAULT_DATASTORE: 's3',
  METAFLOW_BATCH_DEFAULT_TAGS: { team: 'ml', cost: 'réseau ☃' },
  METAFLOW_SERVICE_HEADERS: { 'x-b': '1', 'x-a': ['2', 3, true, null] },
  METAFLOW_EMPTY_LIST: [],
  METAFLOW_Z: 'quote " backslash \\ tab \t newline \n unicode é 😀',
};

const python = spawnSync('python3', ['--version']).status === 0;

describe('formatMetaflowConfig', () => {
  it('sorts keys, indents 4 spaces, escapes non-ASCII like Python, no trailing newline', () => {
    expect(formatMetaflowConfig({ B: '2', A: 'é' })).toBe('{\n    "A": "\\u00e9",\n    "B": "2"\n}');
    expect(formatMetaflowConfig({})).toBe('{}');
  });

  it.skipIf(!python && !process.env.CI)(
    "is byte-identical to Python's json.dump(indent=4, sort_keys=True), as `metaflow configure` writes",
    () => {
      const expected = execFileSync(
        'python3',
        ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.load(sys.stdin), indent=4, sort_keys=True))'],
        {
          input: JSON.stringify(sample),
          encoding: 'utf8',
        },
      );
      expect(formatMetaflowConfig(sample)).toBe(expected);
    },
  );
  if (!python && !process.env.CI) console.log('skipping the Python comparison: python3 is not installed');
});

describe('parseMetaflowConfig', () => {
  it('accepts one JSON object and refuses anything else with what to do', () => {
    expect(parseMetaflowConfig('{"METAFLOW_A": "1"}', 'c.json')).toEqual({ METAFLOW_A: '1' });
    expect(() => parseMetaflowConfig('[1]', 'c.json')).toThrow(
      'c.json is not a JSON object of METAFLOW_* settings, so mfinfra cannot merge into it',
    );
    expect(() => parseMetaflowConfig('{oops', 'c.json')).toThrow(/^c\.json is not valid JSON \(/);
  });
});

describe('mergeConfig', () => {
  const deployed = { METAFLOW_A: 'new-a', METAFLOW_B: 'b' };
  it('keeps user keys, updates keys mfinfra wrote, reports keys changed by hand', () => {
    const record = {
      generator: 'mfinfra' as const,
      stack: 's',
      region: 'r',
      updatedAt: '',
      keys: { METAFLOW_A: fingerprint('old-a'), METAFLOW_OLD: fingerprint('gone') },
    };
    const existing = { METAFLOW_A: 'old-a', METAFLOW_B: 'hand-b', METAFLOW_MINE: 'x', METAFLOW_OLD: 'gone', METAFLOW_BLANK: '' };
    expect(mergeConfig(existing, deployed, record, false)).toEqual({
      next: { METAFLOW_MINE: 'x', METAFLOW_A: 'new-a', METAFLOW_B: 'hand-b' },
      conflicts: [{ key: 'METAFLOW_B', current: 'hand-b', deployed: 'b' }],
      kept: ['METAFLOW_MINE'],
      removed: ['METAFLOW_OLD'],
    });
    expect(mergeConfig(existing, deployed, record, true).next.METAFLOW_B).toBe('b');
  });
});

describe('metaflow home and file name', () => {
  it('follows METAFLOW_HOME, else ~/.metaflowconfig; config_<profile>.json for a profile', () => {
    expect(metaflowHome({ METAFLOW_HOME: '/opt/mf' })).toBe('/opt/mf');
    expect(metaflowHome({ HOME: '/home/ada' })).toBe('/home/ada/.metaflowconfig');
    expect(metaflowHome({ HOME: '/home/ada', METAFLOW_HOME: '~/mf' })).toBe('/home/ada/mf');
    expect(metaflowConfigFileName()).toBe('config.json');
    expect(metaflowConfigFileName('prod')).toBe('config_prod.json');
  });
});
