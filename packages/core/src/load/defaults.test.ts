import { describe, expect, it } from 'vitest';
import { applyDefaults, deepFreeze } from './defaults.js';

describe('applyDefaults', () => {
  it('fills missing keys deeply; the user value wins; arrays are replaced whole', () => {
    const defaults = { a: 1, nested: { b: 2, c: 3 }, list: [1, 2] };
    expect(applyDefaults(defaults, { nested: { c: 30 }, list: [9] })).toEqual({ a: 1, nested: { b: 2, c: 30 }, list: [9] });
    expect(applyDefaults(defaults, undefined)).toEqual(defaults);
  });

  it('does not share default objects between results', () => {
    // A manifest section whose values are tag maps, as load/project.ts resolves it (a record of the user's keys).
    type Section = Record<string, Record<string, string>>;
    const defaults: Section = { tags: {} };
    const one = applyDefaults<Section>(defaults, {});
    one.tags.x = 'y';
    expect(applyDefaults<Section>(defaults, {}).tags).toEqual({});
  });

  it('deep-freezes resolved manifests', () => {
    const v = deepFreeze({ a: { b: [1] } });
    expect(() => {
      (v.a.b as number[]).push(2);
    }).toThrow();
  });
});
