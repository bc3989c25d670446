import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { compileCommand } from './compile.js';
import { pluginsCommand } from './plugins.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';

/** Every CLI command, in the order `--help` lists them. Each lazily imports what it runs. */
export const commands: CommandModule<GlobalArgs, any>[] = [validateCommand, compileCommand, schemaCommand, pluginsCommand];
