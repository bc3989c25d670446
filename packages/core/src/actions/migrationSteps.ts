/** The steps of `mfinfra migrate`, in order (actions/migrate.ts says what each does). No AWS, no I/O. */
export const MIGRATION_STEPS = ['retain', 'snapshot', 'delete-old', 'import', 'apply'] as const;
export type MigrationStep = (typeof MIGRATION_STEPS)[number];
