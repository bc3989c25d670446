/** EC2 resource ids: a prefix and 8 or 17 lowercase hex digits. */
const ID = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);

export const ID_KINDS = {
  vpc: { pattern: ID('vpc'), example: 'vpc-0123456789abcdef0', what: 'VPC id' },
  subnet: { pattern: ID('subnet'), example: 'subnet-0123456789abcdef0', what: 'subnet id' },
  sg: { pattern: ID('sg'), example: 'sg-0123456789abcdef0', what: 'security group id' },
} as const;

/** What is wrong with an id of the given kind, or undefined. */
export function awsIdProblem(kind: keyof typeof ID_KINDS, id: string): { problem: string; hint: string } | undefined {
  const k = ID_KINDS[kind];
  if (k.pattern.test(id)) return undefined;
  const other = Object.entries(ID_KINDS).find(([, o]) => o.pattern.test(id));
  if (other) return { problem: `is a ${other[1].what}, not a ${k.what}`, hint: `give a ${k.what} such as ${k.example}` };
  if (k.pattern.test(id.toLowerCase())) return { problem: 'must be lowercase', hint: `write ${id.toLowerCase()}` };
  return { problem: `is not a ${k.what}`, hint: `${k.what}s look like ${k.example}` };
}
