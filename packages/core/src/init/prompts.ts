/** The questions `mfinfra init` asks on a terminal (node:readline; any streams, for tests). */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fail } from '../errors.js';
import { checkRegion, checkStackName, parsePluginList } from './init.js';
import { FIRST_PARTY_ORDER } from './firstParty.js';

export interface InitAnswers {
  stackName: string;
  region?: string;
  plugins: string[];
}

export interface PromptStreams {
  input: Readable;
  output: Writable;
  /** Whether `input` is a terminal (enables line editing). */
  terminal?: boolean;
  /** A problem with the plugins answered (e.g. a misspelt name), to explain and ask again. */
  checkPlugins?: (plugins: string[]) => string | undefined;
}

/**
 * Ask for each answer not already given, showing the default in brackets; an empty line takes the
 * default. Invalid answers are explained and asked again. Ends of input abort (exit 130).
 */
export async function askInitAnswers(given: Partial<InitAnswers>, defaults: InitAnswers, streams: PromptStreams): Promise<InitAnswers> {
  const rl = createInterface({ input: streams.input, output: streams.output, terminal: streams.terminal ?? false });
  // Read lines through the iterator: it buffers lines that arrive before a question is asked.
  const lines = rl[Symbol.asyncIterator]();
  // Ctrl-C on a terminal reaches readline, not the process: end the questions (exit 130).
  let interrupted = false;
  rl.on('SIGINT', () => {
    interrupted = true;
    rl.close();
  });
  const say = (text: string) => streams.output.write(text);
  const ask = async (question: string, fallback: string | undefined, check: (v: string) => string | undefined): Promise<string> => {
    for (;;) {
      say(`${question}${fallback ? ` [${fallback}]` : ''}: `);
      const next = await lines.next();
      if (next.done) {
        say('\n');
        const why = interrupted ? 'interrupted' : 'input ended before every question was answered';
        throw fail.ABORTED(`init aborted: ${why}; nothing was written`, {});
      }
      const answer = next.value.trim() || fallback || '';
      const problem = check(answer);
      if (!problem) return answer;
      say(`  ${problem}\n`);
    }
  };
  try {
    const stackName = given.stackName ?? (await ask('Stack name', defaults.stackName, checkStackName));
    const region =
      given.region ??
      ((await ask('AWS region (empty: from your AWS profile)', defaults.region, (v) => (v === '' ? undefined : checkRegion(v)))) ||
        undefined);
    const plugins =
      given.plugins ??
      parsePluginList(
        await ask(`Plugins (${FIRST_PARTY_ORDER.join(', ')}, or package names)`, defaults.plugins.join(', '), (v) =>
          parsePluginList(v).length ? streams.checkPlugins?.(parsePluginList(v)) : 'name at least one plugin',
        ),
      );
    return { stackName, region, plugins };
  } finally {
    rl.close();
  }
}
