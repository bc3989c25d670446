import { ErrorCode, type Diagnostic } from '../errors.js';
import type { CfnValue } from './cfnTypes.js';
import { CFN_LIMITS, type CfnTemplate } from './template.js';

export interface TemplateStats {
  resources: number;
  outputs: number;
  parameters: number;
  /** Size of the template text as compiled (readable: what `compile --out` writes). */
  bodyBytes: number;
  /** Size of the minified JSON a deploy sends to CloudFormation. */
  deployBytes: number;
  /** Even minified the template is over 51,200 bytes: deploys stage it in S3 and pass TemplateURL. */
  needsS3Upload: boolean;
}

interface Reference {
  target: string;
  kind: 'Ref' | 'Fn::GetAtt' | 'Fn::Sub' | 'DependsOn';
}

/** Every resource/parameter a value points at through Ref, GetAtt or Sub. */
export function collectReferences(value: unknown, out: Reference[] = []): Reference[] {
  if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, out);
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === 'Ref' && typeof obj.Ref === 'string') {
      if (!obj.Ref.startsWith('AWS::')) out.push({ target: obj.Ref, kind: 'Ref' });
      return out;
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const v = obj['Fn::GetAtt'];
      const target = Array.isArray(v) ? v[0] : typeof v === 'string' ? v.split('.')[0] : undefined;
      if (typeof target === 'string') out.push({ target, kind: 'Fn::GetAtt' });
      if (Array.isArray(v)) collectReferences(v.slice(1), out);
      return out;
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const v = obj['Fn::Sub'];
      const [text, vars] = Array.isArray(v) ? [v[0], (v[1] ?? {}) as Record<string, unknown>] : [v, {}];
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1]!.trim().split('.')[0]!;
          if (name.startsWith('AWS::') || name in vars) continue;
          out.push({ target: name, kind: 'Fn::Sub' });
        }
      }
      collectReferences(vars, out);
      return out;
    }
    for (const v of Object.values(obj)) collectReferences(v, out);
  }
  return out;
}

/**
 * Check a compiled template: every Ref/GetAtt/Sub/DependsOn target exists, resources do not
 * depend on each other in a cycle, logical ids are valid, and CloudFormation's limits hold.
 * `ownerOf(logicalId)` names the plugin responsible, for the message.
 */
export function checkTemplate(
  template: CfnTemplate,
  body: string,
  ownerOf: (logicalId: string) => string | undefined,
  outputOwnerOf: (outputName: string) => string | undefined,
): { problems: Diagnostic[]; stats: TemplateStats } {
  const problems: Diagnostic[] = [];
  const resources = template.Resources;
  const params = template.Parameters ?? {};
  const edges = new Map<string, Set<string>>();
  const problem = (code: string, message: string, plugin: string | undefined, hint: string) =>
    problems.push({ code, message, severity: 'error', plugin, hint });

  for (const [id, res] of Object.entries(resources)) {
    if (!/^[A-Za-z0-9]{1,255}$/.test(id)) {
      problem(
        ErrorCode.TEMPLATE_INVALID,
        `logical id "${id}" is not alphanumeric (1-255 characters)`,
        ownerOf(id),
        'use ctx.naming.logicalId(...)',
      );
    }
    const refs = collectReferences(res.Properties ?? {});
    const dependsOn = res.DependsOn === undefined ? [] : Array.isArray(res.DependsOn) ? res.DependsOn : [res.DependsOn];
    for (const d of dependsOn) refs.push({ target: d, kind: 'DependsOn' });
    const targets = new Set<string>();
    for (const r of refs) {
      const exists = r.target in resources || (r.kind !== 'Fn::GetAtt' && r.kind !== 'DependsOn' && r.target in params);
      if (!exists) {
        problem(
          ErrorCode.TEMPLATE_BAD_REFERENCE,
          `resource ${id} refers to "${r.target}" (${r.kind}), which is not in the template`,
          ownerOf(id),
          'the plugin refers to a resource nobody created; check the logical id (or the plugin that should create it is missing)',
        );
      } else if (r.target in resources) targets.add(r.target);
    }
    edges.set(id, targets);
  }
  for (const [name, output] of Object.entries(template.Outputs)) {
    for (const r of collectReferences(output.Value as CfnValue)) {
      if (!(r.target in resources) && !(r.kind !== 'Fn::GetAtt' && r.target in params)) {
        problem(
          ErrorCode.TEMPLATE_BAD_REFERENCE,
          `output ${name} refers to "${r.target}" (${r.kind}), which is not in the template`,
          outputOwnerOf(name),
          'the plugin refers to a resource nobody created; check the logical id',
        );
      }
    }
  }

  const cycle = findCycle(edges);
  if (cycle) {
    problem(
      ErrorCode.DEPENDENCY_CYCLE,
      `resources depend on each other in a cycle: ${cycle.join(' → ')}`,
      ownerOf(cycle[0]!),
      'CloudFormation cannot create these; break the cycle (e.g. move a policy into its own AWS::IAM::Policy resource)',
    );
  }

  const bodyBytes = Buffer.byteLength(body, 'utf8');
  const deployBytes = Buffer.byteLength(JSON.stringify(template), 'utf8');
  const stats: TemplateStats = {
    resources: Object.keys(resources).length,
    outputs: Object.keys(template.Outputs).length,
    parameters: Object.keys(params).length,
    bodyBytes,
    deployBytes,
    needsS3Upload: deployBytes > CFN_LIMITS.inlineBodyBytes,
  };
  const limit = (what: string, n: number, max: number) => {
    if (n > max) {
      problem(
        ErrorCode.TEMPLATE_LIMIT,
        `the template has ${n} ${what}; CloudFormation allows at most ${max}`,
        undefined,
        'split the deployment into two manifests (two stacks)',
      );
    }
  };
  limit('resources', stats.resources, CFN_LIMITS.resources);
  limit('outputs', stats.outputs, CFN_LIMITS.outputs);
  limit('parameters', stats.parameters, CFN_LIMITS.parameters);
  if (deployBytes > CFN_LIMITS.s3BodyBytes) {
    problem(
      ErrorCode.TEMPLATE_LIMIT,
      `the template is ${deployBytes} bytes even minified; CloudFormation accepts at most ${CFN_LIMITS.s3BodyBytes}`,
      undefined,
      'split the deployment into two manifests',
    );
  }
  return { problems, stats };
}

function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1);
    stack.push(n);
    for (const m of [...(edges.get(n) ?? [])].sort()) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const n of [...edges.keys()].sort()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return undefined;
}
