#!/usr/bin/env node
// The `mfinfra` command of the unscoped package: @mfinfra/core's CLI, told that this package is the
// one running, so the first-party plugins it depends on are found when the manifest's folder has
// none installed (see @mfinfra/core's src/load/resolve.ts for the order).
import { fileURLToPath } from 'node:url';
import { launch } from '@mfinfra/core/launch';

await launch({ cliPackageDir: fileURLToPath(new URL('..', import.meta.url)) });
