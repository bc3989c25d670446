/** The text of a starter `metaflow.infra.yaml`. */
import { STARTER_SECTIONS } from './sections.js';

export interface StarterManifest {
  stackName: string;
  region?: string;
  /** `plugins:` entries in the order to list them. */
  plugins: readonly string[];
  /** Relative path of the JSON Schema file for the `# yaml-language-server` modeline. */
  schemaPath: string;
  /** Sections for plugins that are not first-party: key and whether the section may be left out. */
  otherSections?: readonly { spec: string; key: string; optional: boolean }[];
}

const yamlString = (s: string) =>
  /^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(s) && !/^(true|false|null|yes|no|on|off)$/i.test(s) ? s : JSON.stringify(s);

export function renderStarterManifest(m: StarterManifest): string {
  const lines = [
    `# yaml-language-server: $schema=${m.schemaPath}`,
    '# Metaflow on AWS, compiled by mfinfra into one CloudFormation stack.',
    '#   mfinfra validate   check this file (no AWS needed)',
    '#   mfinfra plan       preview the change set',
    '#   mfinfra apply      deploy it and write ~/.metaflowconfig',
    'version: 1',
    '',
    'stack:',
    `  name: ${yamlString(m.stackName)}`,
    m.region ? `  region: ${m.region}` : '  # region: us-west-2                    # else --region, AWS_REGION or your AWS profile',
    '  tags:',
    '    managed-by: mfinfra',
    '',
    `plugins: [${m.plugins.map(yamlString).join(', ')}]`,
    '',
  ];
  let text = lines.join('\n');
  for (const spec of m.plugins) {
    const section = STARTER_SECTIONS[spec];
    if (section) text += `\n${section}`;
  }
  for (const other of m.otherSections ?? []) {
    text += other.optional
      ? `\n# ${other.key}: settings of ${other.spec} (all optional; see its README)\n`
      : `\n# Settings of ${other.spec}: see its README.\n${other.key}: {}\n`;
  }
  return text;
}
