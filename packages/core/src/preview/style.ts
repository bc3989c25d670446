/**
 * Terminal styles for every renderer (previews, deploy events, the CLI's messages), through
 * `node:util`'s styleText rather than hand-written escape codes. Whether to colour is the caller's
 * decision (the CLI decides from NO_COLOR / FORCE_COLOR and the TTY: cli/io.ts colorEnabled), so
 * styleText is asked not to check a stream itself.
 */
import { styleText } from 'node:util';

export type Style = 'red' | 'yellow' | 'green' | 'cyan' | 'dim' | 'bold';
const STYLES: readonly Style[] = ['red', 'yellow', 'green', 'cyan', 'dim', 'bold'];

/** One function per style; each returns the text unchanged when colour is off. */
export function paint(enabled: boolean): Record<Style, (s: string) => string> {
  const out = {} as Record<Style, (s: string) => string>;
  for (const s of STYLES) out[s] = enabled ? (text) => styleText(s, text, { validateStream: false }) : (text) => text;
  return out;
}
