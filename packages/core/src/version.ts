import { createRequire } from 'node:module';

/** The version of @mfinfra/core (from its package.json). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
