/** The text of a starter `metaflow.infra.yaml`: core's part, then each plugin's own `starter`. */

/** One `plugins:` entry's section. */
export interface StarterSection {
  spec: string;
  /** The plugin's key (a first-party short name is its key, even when not installed). */
  key?: string;
  /** Not installed where init ran: no starter to write. */
  missing?: boolean;
  /** The plugin's `starter` text. */
  starter?: string;
  /** Whether the section may be left out. */
  optional?: boolean;
}

export interface StarterManifest {
  stackName: string;
  region?: string;
  /** `plugins:` entries in the order to list them. */
  plugins: readonly string[];
  /** Relative path of the JSON Schema file for the `# yaml-language-server` modeline. */
  schemaPath: string;
  /** The sections, in the order of `plugins`. */
  sections: readonly StarterSection[];
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
  for (const section of m.sections) {
    if (section.starter) text += `\n${section.starter}`;
    else if (section.missing)
      text += `\n# ${section.spec}: not installed here, so its starter section is not written; install it, then see its README\n${section.key ? `${section.key}: {}\n` : ''}`;
    else if (section.optional) text += `\n# ${section.key}: settings of ${section.spec} (all optional; see its README)\n`;
    else text += `\n# Settings of ${section.spec}: see its README.\n${section.key}: {}\n`;
  }
  return text;
}
