#!/usr/bin/env node
// @mfinfra/core's own `mfinfra` command (the unscoped `mfinfra` package has the same one, with the
// first-party plugins as dependencies). See launch.js.
import { launch } from './launch.js';

await launch();
