// Loaded with `node -r`: records every module the process require()s (the CLI bundle is CommonJS, so
// this sees each external it loads) and writes the list, one per line, to $MFINFRA_RECORD_REQUIRES on exit.
const Module = require('node:module');
const fs = require('node:fs');
const seen = new Set();
const load = Module._load;
Module._load = function (request, ...rest) {
  seen.add(request);
  return load.call(this, request, ...rest);
};
process.on('exit', () => fs.writeFileSync(process.env.MFINFRA_RECORD_REQUIRES, [...seen].join('\n')));
