import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import { fail, MfinfraError } from '../errors.js';
import { makeFrame } from '../load/source.js';

/** What user templates see. */
export interface TemplateContext {
  /** METAFLOW_* key → value (secrets excluded). */
  config: Record<string, string>;
  stack: { name: string; region: string };
  /** Every stack Output (OutputKey → OutputValue). */
  outputs: Record<string, string>;
}

type HelperOptions = Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } }; name?: string };

/** Quote a value for a POSIX shell: single quotes, with embedded single quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A JSON string literal is also a valid YAML double-quoted scalar (and objects become flow mappings). */
export function yamlQuote(value: unknown): string {
  return JSON.stringify(typeof value === 'object' && value !== null ? value : String(value));
}

let handlebars: typeof Handlebars | undefined;
/**
 * handlebars is loaded on the first render, not at start-up: most commands (validate, compile, plan)
 * render no user template, and the CLI's start time is a target (`pnpm bench`).
 */
function loadHandlebars(): typeof Handlebars {
  handlebars ??= createRequire(import.meta.url)('handlebars') as typeof Handlebars;
  return handlebars;
}

function createEnv(file: string, source: string): typeof Handlebars {
  const hb = loadHandlebars().create();
  const need = (helper: string, value: unknown, options: HelperOptions): void => {
    if (value === undefined || value === null) {
      const loc = options.loc ? { file, line: options.loc.start.line, column: options.loc.start.column + 1 } : undefined;
      throw fail.OUTPUT_TEMPLATE_INVALID(`template ${file}${loc ? `:${loc.line}:${loc.column}` : ''}: {{${helper}}} got a missing value`, {
        hint: 'the value is not defined in the template context (config, stack, outputs); check the key name, or wrap it in {{#if ...}}',
        loc,
        frame: loc ? makeFrame(source, loc) : undefined,
      });
    }
  };
  hb.registerHelper('json', (value: unknown, options: HelperOptions) => {
    need('json', value, options);
    const indent = options.hash?.indent;
    return JSON.stringify(value, null, typeof indent === 'number' ? indent : undefined);
  });
  hb.registerHelper('yaml', (value: unknown, options: HelperOptions) => {
    need('yaml', value, options);
    return yamlQuote(value);
  });
  hb.registerHelper('shell', (value: unknown, options: HelperOptions) => {
    need('shell', value, options);
    return shellQuote(typeof value === 'object' ? JSON.stringify(value) : String(value));
  });
  return hb;
}

/**
 * Render a user template: handlebars with prototype access disabled, no HTML escaping, and strict
 * mode (a missing value is an error naming the template file, line and column, never an empty string).
 */
export function renderTemplate(source: string, file: string, context: TemplateContext): string {
  const hb = createEnv(file, source);
  try {
    hb.parse(source);
  } catch (e) {
    throw parseError(e as Error, source, file);
  }
  const render = hb.compile(source, { strict: true, noEscape: true });
  try {
    return render(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false, allowCallsToHelperMissing: false });
  } catch (e) {
    if (MfinfraError.is(e)) throw e;
    const err = e as Error & { lineNumber?: number; column?: number };
    const message = err.message
      .replace(/ - \d+:\d+$/, '')
      .replace(/ in \[object Object\]$/, '')
      .replace(/ in undefined$/, '');
    const at = err.lineNumber !== undefined ? `:${err.lineNumber}:${(err.column ?? 0) + 1}` : '';
    throw fail.OUTPUT_TEMPLATE_INVALID(`template ${file}${at}: ${message}`, {
      hint: /not defined/.test(err.message)
        ? 'templates see config (METAFLOW_* keys), stack (name, region) and outputs (stack outputs); use {{#if ...}} for optional values'
        : 'fix the template',
      loc: err.lineNumber !== undefined ? { file, line: err.lineNumber, column: (err.column ?? 0) + 1 } : undefined,
      frame: err.lineNumber !== undefined ? makeFrame(source, { line: err.lineNumber, column: (err.column ?? 0) + 1 }) : undefined,
      cause: e,
    });
  }
}

/** Turn handlebars' parse/lexical error into file:line:column with its snippet. */
function parseError(e: Error, source: string, file: string): MfinfraError {
  const m = /^(Parse|Lexical) error on line (\d+)[:.]( Unrecognized text\.)?\n([^\n]*)\n(-*)\^(?:\n(.*))?/s.exec(e.message);
  const withPos = e as Error & { lineNumber?: number; column?: number };
  if (!m && withPos.lineNumber !== undefined) {
    // Semantic errors found while parsing (e.g. "each doesn't match if") carry a position.
    const loc = { file, line: withPos.lineNumber, column: (withPos.column ?? 0) + 1 };
    return fail.OUTPUT_TEMPLATE_INVALID(`template ${file}:${loc.line}:${loc.column}: ${e.message.replace(/ - \d+:\d+$/, '')}`, {
      hint: 'fix the handlebars syntax at that position',
      loc,
      frame: makeFrame(source, loc),
    });
  }
  if (!m) {
    return fail.OUTPUT_TEMPLATE_INVALID(`template ${file}: ${e.message}`, {
      hint: 'fix the template',
      cause: e,
    });
  }
  const line = Number(m[2]);
  const snippet = m[4]!;
  const caret = m[5]!.length;
  const column = columnOf(source.split('\n')[line - 1] ?? '', snippet.slice(0, caret));
  const what = m[6] ? m[6].trim() : m[3] ? 'unrecognized text' : `${m[1]!.toLowerCase()} error`;
  return fail.OUTPUT_TEMPLATE_INVALID(`template ${file}:${line}:${column}: ${what}`, {
    hint: 'fix the handlebars syntax at that position',
    loc: { file, line, column },
    frame: makeFrame(source, { line, column }),
  });
}

/** jison shows up to 20 characters before the error with newlines removed; find where they end on the line. */
function columnOf(lineText: string, before: string): number {
  const past = before.startsWith('...') ? before.slice(3) : before;
  for (let k = lineText.length; k > 0; k--) {
    const head = lineText.slice(0, k);
    if (past.endsWith(head) || (past !== '' && head.endsWith(past))) return k + 1;
  }
  return 1;
}
