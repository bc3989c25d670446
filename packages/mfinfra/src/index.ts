/**
 * `mfinfra`: the package people install. Its `mfinfra` command is @mfinfra/core's CLI with the
 * first-party plugins as dependencies; programmatically it is @mfinfra/core's API.
 */
export * from '@mfinfra/core';
