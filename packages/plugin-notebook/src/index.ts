/**
 * `@mfinfra/plugin-notebook`: a SageMaker notebook for the deployment (manifest key `notebook`).
 *
 * ```yaml
 * plugins: [network, datastore, batch, metadata, notebook]
 * notebook: { instanceType: ml.t3.medium }
 * ```
 */
import { notebookPlugin } from './plugin.js';

export { notebookPlugin, notebookSettings, startScript, ID, URL_OUTPUT, type NotebookApi } from './plugin.js';
export type { NotebookOptions } from './options.js';
export default notebookPlugin;
