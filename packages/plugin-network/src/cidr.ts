/** IPv4 CIDR arithmetic for subnet planning (CloudFormation's Fn::Cidr is avoided on purpose). */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; problem: string; hint?: string };

/** Parse `a.b.c.d/n`. Host bits must be zero (AWS rejects them), and the hint gives the fix. */
export function parseCidr(text: string): CidrParse {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return { ok: false, problem: 'is not an IPv4 CIDR block', hint: 'write it as a.b.c.d/n, e.g. 10.20.0.0/16' };
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return { ok: false, problem: 'has an octet above 255', hint: 'each of the four numbers must be 0-255' };
  const prefix = Number(m[5]);
  if (prefix > 32) return { ok: false, problem: 'has a prefix length above 32', hint: 'the number after "/" must be 0-32' };
  const address = toInt(octets);
  const base = (address & mask(prefix)) >>> 0;
  if (base !== address) {
    return { ok: false, problem: 'has host bits set', hint: `did you mean ${formatCidr({ base, prefix })}?` };
  }
  return { ok: true, cidr: { base, prefix } };
}

export function formatCidr(c: Cidr): string {
  return `${[24, 16, 8, 0].map((s) => (c.base >>> s) & 255).join('.')}/${c.prefix}`;
}

/** The number of addresses in a block. */
export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** Whether `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.base & mask(outer.prefix)) >>> 0 === outer.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

/** The `index`-th block of prefix length `prefix` inside `parent`. */
export function subBlock(parent: Cidr, prefix: number, index: number): Cidr {
  return { base: parent.base + index * 2 ** (32 - prefix), prefix };
}

function toInt(octets: number[]): number {
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}
