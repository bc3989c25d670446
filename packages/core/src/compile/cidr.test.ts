import { describe, expect, it } from 'vitest';
import { cidrContains as contains, cidrOverlaps as overlaps, formatCidr, parseCidr, subBlock, type Cidr } from './cidr.js';

const cidr = (text: string): Cidr => {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`${text} ${r.problem}`);
  return r.cidr;
};

describe('cidr', () => {
  it('parses and formats blocks', () => {
    expect(formatCidr(cidr('10.20.0.0/16'))).toBe('10.20.0.0/16');
    expect(formatCidr(cidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(formatCidr(cidr('255.255.255.255/32'))).toBe('255.255.255.255/32');
  });

  it('explains what is wrong with a malformed block', () => {
    expect(parseCidr('10.20.0.0')).toEqual({
      ok: false,
      problem: 'is not an IPv4 CIDR block',
      hint: 'write it as a.b.c.d/n, e.g. 10.20.0.0/16',
    });
    expect(parseCidr('10.256.0.0/16')).toMatchObject({ ok: false, problem: 'has an octet above 255' });
    expect(parseCidr('10.0.0.0/33')).toMatchObject({ ok: false, problem: 'has a prefix length above 32' });
    expect(parseCidr('10.20.1.0/16')).toMatchObject({ ok: false, problem: 'has host bits set', hint: 'did you mean 10.20.0.0/16?' });
  });

  it('tells containment and overlap apart', () => {
    expect(contains(cidr('10.20.0.0/16'), cidr('10.20.255.0/24'))).toBe(true);
    expect(contains(cidr('10.20.0.0/16'), cidr('10.21.0.0/24'))).toBe(false);
    expect(contains(cidr('10.20.0.0/24'), cidr('10.20.0.0/16'))).toBe(false);
    expect(overlaps(cidr('10.20.0.0/20'), cidr('10.20.15.0/24'))).toBe(true);
    expect(overlaps(cidr('10.20.0.0/20'), cidr('10.20.16.0/24'))).toBe(false);
    expect(contains(cidr('192.168.0.0/16'), cidr('192.168.128.0/17'))).toBe(true);
  });

  it('carves sub-blocks', () => {
    expect(formatCidr(subBlock(cidr('10.20.0.0/16'), 20, 9))).toBe('10.20.144.0/20');
    expect(formatCidr(subBlock(cidr('172.31.0.0/16'), 28, 1))).toBe('172.31.0.16/28');
  });

  it('says when a block is not a network address, whatever its prefix', () => {
    expect(parseCidr('10.1.2.3/32')).toMatchObject({ ok: true, cidr: { prefix: 32 } });
    expect(parseCidr('10.1.2.3/0')).toEqual({
      ok: false,
      problem: 'has host bits set',
      hint: 'did you mean 0.0.0.0/0?',
      network: { base: 0, prefix: 0 },
    });
    expect(parseCidr(' 10.1.0.0/16 ')).toMatchObject({ ok: true });
  });
});
