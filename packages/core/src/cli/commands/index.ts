import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { adoptCommand } from './adopt.js';
import { applyCommand } from './apply.js';
import { compileCommand } from './compile.js';
import { destroyCommand } from './destroy.js';
import { driftCommand } from './drift.js';
import { initCommand } from './init.js';
import { migrateCommand } from './migrate.js';
import { outputsCommand } from './outputs.js';
import { planCommand } from './plan.js';
import { pluginsCommand } from './plugins.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';

/** Every CLI command, in the order `--help` lists them. Each lazily imports what it runs. */
export const commands: CommandModule<GlobalArgs, any>[] = [
  initCommand,
  validateCommand,
  compileCommand,
  planCommand,
  applyCommand,
  destroyCommand,
  driftCommand,
  adoptCommand,
  migrateCommand,
  outputsCommand,
  schemaCommand,
  pluginsCommand,
];
