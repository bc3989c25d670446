// Bundled in place of `string-width` for the CLI: yargs measures every line of every help text on
// each run (it caches help even when nobody asks for it), and string-width segments graphemes and
// matches emoji for each. Printable ASCII is one column per character, so answer that directly and
// defer to the real implementation for anything else.
import realStringWidth from 'string-width';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export default function stringWidth(text, options) {
  return typeof text === 'string' && PRINTABLE_ASCII.test(text) ? text.length : realStringWidth(text, options);
}
