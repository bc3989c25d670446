/** Types of scripts/cdk-nag.mjs (cdk-nag's AWS Solutions pack over compiled templates). */
export interface NagFinding {
  rule: string;
  resource: string;
  level: 'error' | 'warning';
  description: string;
}
export interface NagSuppression {
  rule: string;
  resource: string;
  reason: string;
}
export interface NagReport {
  errors: NagFinding[];
  warnings: NagFinding[];
  suppressed: (NagFinding & { reason: string })[];
  stale: NagSuppression[];
  withoutReason: NagSuppression[];
}
export function nagTemplates(templates: Record<string, unknown>): Promise<Record<string, NagReport>>;
export function summarize(reports: Record<string, NagReport>): string[];
