// Loaded with `node --import`: records every module the process require()s (the CLI bundle is
// CommonJS, so this sees each external it loads; an ES module loader hook would not) and writes the
// list, one per line, to $MFINFRA_RECORD_REQUIRES on exit.
import Module from 'node:module';
import { writeFileSync } from 'node:fs';

const seen = new Set();
const load = Module._load;
Module._load = function (request, ...rest) {
  seen.add(request);
  return load.call(this, request, ...rest);
};
process.on('exit', () => writeFileSync(process.env.MFINFRA_RECORD_REQUIRES, [...seen].join('\n')));
