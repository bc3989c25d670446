/**
 * Usage mistakes as mfinfra errors (code USAGE, exit 2), with did-you-mean for a mistyped command
 * or flag: `mfinfra plna` → plan, `--ofline` → `--offline`.
 */
import type { CommandModule } from 'yargs';
import { didYouMean, fail, type MfinfraError } from '../index.js';

export function usageError(message: string, hint: string): MfinfraError {
  return fail.USAGE(message, { hint });
}

const GLOBAL_FLAGS = ['debug', 'json', 'cwd', 'env', 'help'];

function firstWord(command: CommandModule<any, any>): string[] {
  const names = [command.command, ...(Array.isArray(command.aliases) ? command.aliases : command.aliases ? [command.aliases] : [])];
  return names.flat().map((n) => String(n).split(' ')[0]!);
}

export function commandNames(commands: readonly CommandModule<any, any>[]): string[] {
  return commands.flatMap(firstWord);
}

/** The first argument, when it is not a flag and names no command: an error with the nearest command. */
export function unknownCommand(argv: string[], names: string[]): MfinfraError | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || names.includes(first)) return undefined;
  const near = didYouMean(first, names);
  return usageError(
    `unknown command ${first}`,
    near ? `did you mean \`mfinfra ${near}\`? (run \`mfinfra --help\` for the commands)` : 'run `mfinfra --help` for the commands',
  );
}

/**
 * The flags a command takes: its builder runs against a recorder that notes each `.option(name,
 * { alias })` and answers every other call with itself, so nothing is parsed or printed.
 */
export function commandFlags(command: CommandModule<any, any> | undefined): string[] {
  const flags = new Set<string>(GLOBAL_FLAGS);
  const builder = command?.builder;
  if (typeof builder !== 'function') return [...flags];
  const recorder: any = new Proxy(function () {} as any, {
    get(_t, prop) {
      if (prop === 'option' || prop === 'options') {
        return (name: string | Record<string, any>, opts?: { alias?: string | string[] }) => {
          const entries = typeof name === 'string' ? [[name, opts] as const] : Object.entries(name);
          for (const [n, o] of entries) {
            flags.add(n);
            for (const a of [o?.alias ?? []].flat()) flags.add(a);
          }
          return recorder;
        };
      }
      if (prop === 'then') return undefined;
      return () => recorder;
    },
  });
  try {
    builder(recorder);
  } catch {
    // a builder that needs more than the recorder gives: no suggestions, the message still stands
  }
  return [...flags];
}

/**
 * The unknown flags of yargs' `Unknown arguments: such-flag, suchFlag` as the user typed them
 * (`--no-such-flag`): yargs reports a negation without its `no-` and adds camelCase twins.
 */
export function unknownFlags(msg: string, argv: string[]): string[] | undefined {
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg);
  if (!unknown) return undefined;
  const reported = unknown[1]!.split(', ');
  const kebab = (n: string) => n.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
  const names = reported.filter((n) => !(/[A-Z]/.test(n) && reported.includes(kebab(n))));
  const typed = new Set(argv.map((a) => a.split('=')[0]!));
  return names.map((n) => (n.length === 1 ? `-${n}` : !typed.has(`--${n}`) && typed.has(`--no-${n}`) ? `--no-${n}` : `--${n}`));
}

/** What to do about a yargs usage message: the nearest flag for an unknown one, and where help is. */
export function usageHint(msg: string, argv: string[], commands: readonly CommandModule<any, any>[]): string {
  const command = commands.find((c) => firstWord(c).includes(argv[0] ?? ''));
  const help = command ? `run \`mfinfra ${argv[0]} --help\` for its options` : 'run `mfinfra --help` for usage';
  const names = unknownFlags(msg, argv);
  if (!names) return help;
  const flags = commandFlags(command);
  const dash = (n: string) => `${n.length === 1 ? '-' : '--'}${n}`;
  const near = names.map((n) => [n, didYouMean(n.replace(/^-+/, ''), flags)] as const).filter(([, m]) => m !== undefined);
  if (!near.length) return help;
  const suggestion = names.length === 1 ? dash(near[0]![1]!) : near.map(([n, m]) => `${dash(m!)} for ${n}`).join(', ');
  return `did you mean ${suggestion}? (${help})`;
}
