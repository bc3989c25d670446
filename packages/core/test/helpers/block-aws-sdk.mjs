// Loaded with `node --import`: any attempt to import the AWS SDK fails loudly, proving that the
// command under test never loads it.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@aws-sdk/') || specifier.startsWith('@smithy/')) {
    throw new Error('AWS SDK loaded by a command that must not need AWS: ' + specifier);
  }
  return next(specifier, context);
}`),
);
