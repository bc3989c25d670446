#!/usr/bin/env node
/**
 * cdk-nag's AWS Solutions rule pack over compiled templates, loaded with cloudformation-include's
 * CfnInclude into one CDK app (one process, one stack per template).
 *
 * Suppressions live in the templates themselves, on the resource, in cdk-nag v2's convention:
 * `Metadata.cdk_nag.rules_to_suppress: [{ id, reason }]`. cdk-nag v3 no longer reads that metadata
 * (it reads CDK's acknowledged-rules construct metadata instead), so this module applies it: a
 * finding whose rule id (or, for granular findings like `AwsSolutions-IAM5[Resource::*]`, its base
 * id) is listed on the resource counts as suppressed. A suppression without a reason, or one that
 * matches no finding (stale), is reported so it cannot linger.
 *
 *   node scripts/cdk-nag.mjs              every example under examples/ (needs `pnpm build`)
 *   node scripts/cdk-nag.mjs a.json ...   the given templates
 *
 * Prints one line per template and every unsuppressed error; exits 1 when any template has one.
 * Dev tooling only: cdk-nag and aws-cdk-lib are devDependencies of the monorepo root, never of the CLI.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * @param {Record<string, any>} templates name → parsed CloudFormation template
 * @returns {Promise<Record<string, NagReport>>}
 *
 * @typedef {{ rule: string, resource: string, level: 'error' | 'warning', description: string }} NagFinding
 * @typedef {{ rule: string, resource: string, reason: string }} NagSuppression
 * @typedef {{ errors: NagFinding[], warnings: NagFinding[], suppressed: (NagFinding & { reason: string })[],
 *   stale: NagSuppression[], withoutReason: NagSuppression[] }} NagReport
 */
export async function nagTemplates(templates) {
  const { App, Stack } = await import('aws-cdk-lib');
  const { CfnInclude } = await import('aws-cdk-lib/cloudformation-include');
  const { AwsSolutionsChecks } = await import('cdk-nag');
  const dir = mkdtempSync(path.join(tmpdir(), 'mfinfra-nag-'));
  try {
    const app = new App();
    const stackOf = new Map();
    Object.entries(templates).forEach(([name, template], i) => {
      const file = path.join(dir, `${i}.json`);
      writeFileSync(file, JSON.stringify(template));
      const stackId = `S${i}`;
      stackOf.set(stackId, name);
      new CfnInclude(new Stack(app, stackId), 'T', { templateFile: file });
    });
    const report = new AwsSolutionsChecks({ verbose: false }).validateScope(app);
    /** @type {Record<string, NagReport>} */
    const out = {};
    for (const name of Object.keys(templates)) out[name] = { errors: [], warnings: [], suppressed: [], stale: [], withoutReason: [] };
    const used = new Set();
    for (const v of report.violations) {
      for (const r of v.violatingResources) {
        const [stackId, , resource] = r.constructPath.split('/');
        const name = stackOf.get(stackId);
        const template = templates[name];
        const finding = { rule: v.ruleName, resource, level: v.severity === 'error' ? 'error' : 'warning', description: v.description };
        const list = suppressionsOf(template, resource);
        const index = list.findIndex((s) => covers(s, finding.rule));
        const match = list[index];
        if (match && typeof match.reason === 'string' && match.reason.trim().length > 0) {
          used.add(`${name}\0${resource}\0${index}`);
          const granular = /^[^[]+\[(.*)\]$/.exec(finding.rule);
          if (granular) used.add(`${name}\0${resource}\0${index}\0${granular[1]}`);
          out[name].suppressed.push({ ...finding, reason: match.reason });
        } else {
          out[name][finding.level === 'error' ? 'errors' : 'warnings'].push(finding);
        }
      }
    }
    for (const [name, template] of Object.entries(templates)) {
      for (const resource of Object.keys(template.Resources ?? {})) {
        for (const [index, s] of suppressionsOf(template, resource).entries()) {
          const entry = { rule: String(s.id), resource, reason: String(s.reason ?? '') };
          if (!(typeof s.reason === 'string' && s.reason.trim().length > 0)) out[name].withoutReason.push(entry);
          else if (!used.has(`${name}\0${resource}\0${index}`)) out[name].stale.push(entry);
          else if (Array.isArray(s.applies_to)) {
            // Each listed wildcard must still be found: an appliesTo entry that matches nothing is stale too.
            for (const item of s.applies_to)
              if (!used.has(`${name}\0${resource}\0${index}\0${item}`)) out[name].stale.push({ ...entry, rule: `${s.id}[${item}]` });
          }
        }
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether a suppression covers a finding: the same rule id, and for a granular finding
 * (`AwsSolutions-IAM5[Resource::*]`) either no `applies_to` or one that lists what is in brackets.
 */
function covers(suppression, rule) {
  if (suppression.id === rule) return true;
  const m = /^([^[]+)\[(.*)\]$/.exec(rule);
  if (!m || suppression.id !== m[1]) return !m && suppression.id === rule;
  const appliesTo = suppression.applies_to;
  return !Array.isArray(appliesTo) || appliesTo.length === 0 || appliesTo.includes(m[2]);
}

function suppressionsOf(template, resource) {
  const list = template.Resources?.[resource]?.Metadata?.cdk_nag?.rules_to_suppress;
  return Array.isArray(list) ? list : [];
}

/** One line per template: `name: E errors, W warnings, S suppressed`. */
export function summarize(reports) {
  return Object.entries(reports).map(
    ([name, r]) =>
      `${name}: ${r.errors.length} errors, ${r.warnings.length} warnings, ${r.suppressed.length} suppressed` +
      (r.stale.length ? `, ${r.stale.length} stale suppressions` : '') +
      (r.withoutReason.length ? `, ${r.withoutReason.length} suppressions without a reason` : ''),
  );
}

async function main(argv) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  /** @type {Record<string, any>} */
  const templates = {};
  if (argv.length > 0) {
    for (const file of argv) templates[path.basename(file)] = JSON.parse(readFileSync(file, 'utf8'));
  } else {
    const core = path.join(repo, 'packages/core/dist/index.js');
    if (!existsSync(core)) throw new Error('packages/core/dist is missing: run `pnpm build` first');
    const { compileEnvironments } = await import(pathToFileURL(core).href);
    const examples = path.join(repo, 'examples');
    for (const name of readdirSync(examples).sort()) {
      if (!existsSync(path.join(examples, name, 'metaflow.infra.yaml'))) continue;
      // An example with environments is one template per environment (environments@dev, …).
      for (const r of (await compileEnvironments({ manifest: path.join(examples, name) })).results) {
        templates[r.environment ? `${name}@${r.environment}` : name] = r.template;
      }
    }
  }
  const reports = await nagTemplates(templates);
  let failed = false;
  for (const [name, r] of Object.entries(reports)) {
    console.log(summarize({ [name]: r })[0]);
    for (const f of [...r.errors, ...(process.env.NAG_WARNINGS ? r.warnings : [])])
      console.log(`  ${f.level} ${f.rule} ${f.resource}: ${f.description}`);
    for (const s of r.withoutReason) console.log(`  suppression without a reason: ${s.rule} on ${s.resource}`);
    for (const s of r.stale) console.log(`  stale suppression: ${s.rule} on ${s.resource}`);
    if (r.errors.length || r.withoutReason.length || r.stale.length) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`cdk-nag: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  });
}
