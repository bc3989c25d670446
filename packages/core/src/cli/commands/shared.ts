import path from 'node:path';
import type { Argv } from 'yargs';

/** The optional `[manifest]` positional every manifest command takes. */
export function withManifest<T>(y: Argv<T>) {
  return y.positional('manifest', {
    type: 'string',
    describe: 'path to metaflow.infra.yaml (or its folder); searched from the working directory upward when omitted',
  });
}

export function relativeToCwd(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}
