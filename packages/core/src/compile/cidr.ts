/**
 * IPv4 CIDR blocks for plugins' checks and subnet planning (exported from `@mfinfra/core/plugin`):
 * parsing and containment through ipaddr.js, plus the block arithmetic subnet layouts need. Parse
 * problems are sentences a manifest error can carry ("has host bits set", with the fix as hint).
 */
import ipaddr from 'ipaddr.js';

/** An IPv4 block: its network address as an unsigned 32-bit integer, and its prefix length. */
export interface Cidr {
  base: number;
  prefix: number;
}

export type CidrParse =
  | { ok: true; cidr: Cidr }
  /** `network`: the block the text meant, when only its host bits are set. */
  | { ok: false; problem: string; hint?: string; network?: Cidr };

const SHAPE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2}$/;

/** Parse `a.b.c.d/n`. Host bits must be zero (AWS rejects them); the hint then gives the network address. */
export function parseCidr(text: string): CidrParse {
  const trimmed = text.trim();
  if (!SHAPE.test(trimmed)) return { ok: false, problem: 'is not an IPv4 CIDR block', hint: 'write it as a.b.c.d/n, e.g. 10.20.0.0/16' };
  const [address, prefixText] = trimmed.split('/') as [string, string];
  if (!ipaddr.IPv4.isValidFourPartDecimal(address))
    return { ok: false, problem: 'has an octet above 255', hint: 'each of the four numbers must be 0-255' };
  const prefix = Number(prefixText);
  if (prefix > 32) return { ok: false, problem: 'has a prefix length above 32', hint: 'the number after "/" must be 0-32' };
  const network = ipaddr.IPv4.networkAddressFromCIDR(trimmed);
  const base = toInt(network);
  if (network.toString() !== ipaddr.IPv4.parse(address).toString()) {
    return { ok: false, problem: 'has host bits set', hint: `did you mean ${formatCidr({ base, prefix })}?`, network: { base, prefix } };
  }
  return { ok: true, cidr: { base, prefix } };
}

/** `a.b.c.d/n` */
export function formatCidr(c: Cidr): string {
  return `${ipaddr.fromByteArray([24, 16, 8, 0].map((s) => (c.base >>> s) & 255)).toString()}/${c.prefix}`;
}

/** The number of addresses in a block. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && address(inner).match(address(outer), outer.prefix);
}

/** Whether two blocks share any address (for CIDR blocks: one contains the other). */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** The `index`-th block of prefix length `prefix` inside `parent`. */
export function subBlock(parent: Cidr, prefix: number, index: number): Cidr {
  return { base: parent.base + index * 2 ** (32 - prefix), prefix };
}

function toInt(a: ipaddr.IPv4): number {
  return a.toByteArray().reduce((acc, o) => acc * 256 + o, 0);
}

function address(c: Cidr): ipaddr.IPv4 {
  return ipaddr.fromByteArray([24, 16, 8, 0].map((s) => (c.base >>> s) & 255)) as ipaddr.IPv4;
}
