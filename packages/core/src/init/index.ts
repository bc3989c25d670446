/**
 * `mfinfra init` as `@mfinfra/core` exports it: a starter manifest from the plugins' starters
 * (`initProject`, with the helpers an interactive front end needs), from a Metaflow config
 * (`initFromConfig`) or from a deployed stack of the official template (`initFromStack`, which loads
 * the AWS SDK on its first call, so importing core for compiling alone stays fast).
 */
import type * as FromStack from './fromStack.js';

export { assertNoManifest, checkPluginNames, checkRegion, checkStackName, initProject, parsePluginList } from './init.js';
export type { InitOptions, InitResult } from './init.js';
export { DEFAULT_PLUGINS } from './firstParty.js';
export { askInitAnswers } from './prompts.js';
export type { InitAnswers, PromptStreams } from './prompts.js';
export { initFromConfig } from './fromConfig.js';
export type { ConfigKeyFate, FromConfigResult, InitFromConfigInput } from './fromConfig.js';
export type { FromStackResult, InitFromStackInput, ReportLine } from './fromStack.js';

/** `mfinfra init --from-stack NAME`: read the stack, write the equivalent manifest (never over one). */
export const initFromStack: typeof FromStack.initFromStack = async (...args) => (await import('./fromStack.js')).initFromStack(...args);
