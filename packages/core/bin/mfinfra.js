#!/usr/bin/env node
// Stack traces (shown only with --debug) point at the TypeScript sources through the bundle's source maps.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import('../dist-cli/main.js');

process.exitCode = await main(process.argv.slice(2));
