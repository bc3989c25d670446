/**
 * Questions on the terminal (stderr). `destroy` of a protected or production-like stack asks for
 * the stack name to be typed (actions/destroy.ts says when).
 */
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
