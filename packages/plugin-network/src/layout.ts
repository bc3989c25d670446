import {
  cidrContains as contains,
  cidrOverlaps as overlaps,
  cidrSize as size,
  formatCidr,
  parseCidr,
  subBlock,
  type Cidr,
} from '@mfinfra/core/plugin';
import { MAX_PREFIX, MIN_PREFIX, type ResolvedCreateOptions } from './options.js';

/** A problem with the `create` options, at a path inside the `network` section. */
export interface LayoutProblem {
  message: string;
  path: (string | number)[];
  hint?: string;
  code: string;
}

export interface SubnetLayout {
  vpc: string;
  public: string[];
  /** [] unless `private`. */
  private: string[];
}

/**
 * Decide every subnet's CIDR block, deterministically: given blocks are checked; missing ones are
 * carved from the VPC block as equal blocks of 1/16 of it (public subnets from the start, private
 * ones from the middle), skipping blocks the given ones use. Same options → same layout.
 */
export function planSubnets(options: ResolvedCreateOptions): { layout?: SubnetLayout; problems: LayoutProblem[] } {
  const problems: LayoutProblem[] = [];
  const vpc = checkBlock(options.cidr, ['create', 'cidr'], 'VPC CIDR', problems);
  const publicGiven = checkList(options.publicSubnetCidrs, 'publicSubnetCidrs', options, problems);
  const privateGiven = options.private ? checkList(options.privateSubnetCidrs, 'privateSubnetCidrs', options, problems) : undefined;
  if (!options.private && options.privateSubnetCidrs !== undefined) {
    problems.push({
      message: 'privateSubnetCidrs is set, but private is not true',
      path: ['create', 'privateSubnetCidrs'],
      hint: 'set private: true to create private subnets, or remove privateSubnetCidrs',
      code: 'NETWORK_OPTION_CONFLICT',
    });
  }
  // A wrong count does not hide what is wrong with the blocks themselves.
  const blocking = problems.filter((p) => p.code !== 'NETWORK_SUBNET_COUNT');
  if (!vpc || blocking.length) return { problems };

  // Given blocks: inside the VPC, not overlapping one another.
  const taken: { cidr: Cidr; path: (string | number)[] }[] = [];
  for (const [key, given] of [
    ['publicSubnetCidrs', publicGiven],
    ['privateSubnetCidrs', privateGiven],
  ] as const) {
    given?.forEach((cidr, i) => {
      const path = ['create', key, i];
      if (!contains(vpc, cidr)) {
        problems.push({
          message: `subnet ${formatCidr(cidr)} is not inside the VPC block ${formatCidr(vpc)}`,
          path,
          hint: `pick a block inside ${formatCidr(vpc)}, or leave ${key} out to have them computed`,
          code: 'NETWORK_SUBNET_OUTSIDE_VPC',
        });
        return;
      }
      const clash = taken.find((t) => overlaps(t.cidr, cidr));
      if (clash) {
        problems.push({
          message: `subnet ${formatCidr(cidr)} overlaps subnet ${formatCidr(clash.cidr)} (network.${clash.path.slice(0, 2).join('.')}[${clash.path[2]}])`,
          path,
          hint: 'subnets in one VPC must not share addresses',
          code: 'NETWORK_SUBNET_OVERLAP',
        });
        return;
      }
      taken.push({ cidr, path });
    });
  }
  if (problems.length) return { problems };

  const count = options.azs;
  const needed = (publicGiven ? 0 : count) + (options.private && !privateGiven ? count : 0);
  let pub = publicGiven;
  let priv = options.private ? privateGiven : [];
  if (needed > 0) {
    const half = options.private ? 2 : 1;
    const minBits = Math.ceil(Math.log2(half * 2 ** Math.ceil(Math.log2(count))));
    const prefix = Math.min(Math.max(vpc.prefix + 4, vpc.prefix + minBits), MAX_PREFIX);
    const blocks = 2 ** (prefix - vpc.prefix);
    const alloc = (start: number, n: number): Cidr[] | undefined => {
      const out: Cidr[] = [];
      for (let k = 0; k < blocks && out.length < n; k++) {
        const candidate = subBlock(vpc, prefix, (start + k) % blocks);
        if (taken.some((t) => overlaps(t.cidr, candidate))) continue;
        out.push(candidate);
        taken.push({ cidr: candidate, path: [] });
      }
      return out.length === n ? out : undefined;
    };
    pub ??= alloc(0, count);
    if (options.private) priv ??= alloc(blocks / 2, count);
    if (!pub || !priv || vpc.prefix + minBits > MAX_PREFIX) {
      return {
        problems: [
          {
            message: `the VPC block ${formatCidr(vpc)} (${size(vpc)} addresses) is too small for ${needed} computed subnets of at least /${MAX_PREFIX}`,
            path: ['create', 'cidr'],
            hint: 'use a larger VPC block (e.g. a /16), or list publicSubnetCidrs/privateSubnetCidrs yourself',
            code: 'NETWORK_VPC_TOO_SMALL',
          },
        ],
      };
    }
  }
  return { layout: { vpc: formatCidr(vpc), public: pub!.map(formatCidr), private: priv!.map(formatCidr) }, problems };
}

function checkBlock(text: string, path: (string | number)[], what: string, problems: LayoutProblem[]): Cidr | undefined {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    problems.push({ message: `${what} "${text}" ${parsed.problem}`, path, hint: parsed.hint, code: 'NETWORK_BAD_CIDR' });
    return undefined;
  }
  const { prefix } = parsed.cidr;
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    problems.push({
      message: `${what} "${text}" is a /${prefix}; AWS allows /${MIN_PREFIX} to /${MAX_PREFIX}`,
      path,
      hint: prefix < MIN_PREFIX ? `use a /${MIN_PREFIX} or smaller block` : `use a /${MAX_PREFIX} or larger block`,
      code: 'NETWORK_BAD_CIDR',
    });
    return undefined;
  }
  return parsed.cidr;
}

function checkList(
  list: string[] | undefined,
  key: 'publicSubnetCidrs' | 'privateSubnetCidrs',
  options: ResolvedCreateOptions,
  problems: LayoutProblem[],
): Cidr[] | undefined {
  if (list === undefined) return undefined;
  if (list.length !== options.azs) {
    problems.push({
      message: `${key} lists ${list.length} blocks, but azs is ${options.azs}`,
      path: ['create', key],
      hint: `give one block per availability zone (${options.azs}), or change azs`,
      code: 'NETWORK_SUBNET_COUNT',
    });
  }
  const out: Cidr[] = [];
  list.forEach((text, i) => {
    const c = checkBlock(text, ['create', key, i], 'subnet CIDR', problems);
    if (c) out.push(c);
  });
  return out.length === list.length ? out : undefined;
}
