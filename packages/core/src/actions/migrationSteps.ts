/** The steps of `mfinfra migrate`, in order (actions/migrate.ts says what each does). No AWS, no I/O. */
import type { GateResult } from '../preview/gates.js';
import type { PreviewModel } from '../preview/model.js';

export const MIGRATION_STEPS = ['retain', 'snapshot', 'delete-old', 'import', 'apply'] as const;
export type MigrationStep = (typeof MIGRATION_STEPS)[number];

/** What a step is about to do, for the person who says yes. */
export interface MigrationReview {
  step: MigrationStep;
  /** One line: what the step does. */
  title: string;
  /** Details (what is kept, created, deleted). */
  lines: string[];
  preview?: PreviewModel;
  gates?: GateResult;
}
