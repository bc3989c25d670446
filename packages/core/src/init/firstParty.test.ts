import { describe, expect, it } from 'vitest';
import { FIRST_PARTY_PLUGINS } from '../load/resolve.js';
import { DEFAULT_PLUGINS, FIRST_PARTY_ORDER } from './firstParty.js';

describe('the first-party plugins init offers', () => {
  it('orders every first-party short name, and picks defaults among them', () => {
    expect([...FIRST_PARTY_ORDER].sort()).toEqual(Object.keys(FIRST_PARTY_PLUGINS).sort());
    for (const name of DEFAULT_PLUGINS) expect(FIRST_PARTY_ORDER).toContain(name);
  });
});
