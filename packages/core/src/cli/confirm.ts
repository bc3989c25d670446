/**
 * Questions that guard destructive commands. A y/N answer is too easy to give by reflex for a stack
 * that is protected or looks like production: there `destroy` asks for the stack name to be typed.
 */
import type { ResolvedManifest } from '../load/project.js';

const PRODUCTION = /(^|[^a-z])prod(uction)?([^a-z]|$)/i;

/**
 * Why deleting this stack asks for its name, or undefined when a y/N question is enough: termination
 * protection (on the stack or in the manifest), or a production-like name, Metaflow profile or tag.
 */
export function typedConfirmationReason(manifest: Readonly<ResolvedManifest>, stackProtected: boolean): string | undefined {
  if (stackProtected || manifest.stack.terminationProtection) return 'the stack has termination protection';
  if (PRODUCTION.test(manifest.stack.name)) return `the stack name ${manifest.stack.name} looks like production`;
  const profile = manifest.outputs?.metaflowConfig?.profile;
  if (profile && PRODUCTION.test(profile)) return `the manifest writes the Metaflow profile ${profile}`;
  for (const [key, value] of Object.entries(manifest.stack.tags ?? {})) {
    if (PRODUCTION.test(value)) return `the stack is tagged ${key}=${value}`;
  }
  return undefined;
}

/** Ask on the terminal (stderr) for `expected` to be typed; anything else, Ctrl-C or end of input is no. */
export function askTyped(question: string, expected: string): Promise<boolean> {
  return askLine(`${question} `, (answer) => answer.trim() === expected);
}

/**
 * Ask one question on the terminal (stderr) and judge the answer with `accept`. Ctrl-C or end of
 * input answers no.
 */
export async function askLine(prompt: string, accept: (answer: string) => boolean): Promise<boolean> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (answer: boolean) => {
      if (done) return;
      done = true;
      rl.close();
      resolve(answer);
    };
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      finish(false);
    });
    rl.on('close', () => finish(false));
    rl.question(prompt, (answer) => finish(accept(answer)));
  });
}
