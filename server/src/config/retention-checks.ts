/** The settings the retention rule reads (a subset of `Config`). */
export interface RetentionSettings {
  retentionDays: number;
  payloadRetentionDays?: number | undefined;
}

/**
 * The rule between the retention settings, as a line naming both variables and the fix (none
 * when fine): `payloadRetentionDays` must be shorter than `retentionDays`, since the whole event
 * goes at retention anyway and a payload expiry at or after it would be a setting that does
 * nothing. `label` and `env` name settings as in listener-checks.ts.
 */
export function retentionProblems(
  settings: RetentionSettings,
  label: (key: keyof RetentionSettings) => string,
  env: (key: keyof RetentionSettings) => string,
): string[] {
  const { retentionDays, payloadRetentionDays } = settings;
  if (payloadRetentionDays === undefined || payloadRetentionDays < retentionDays) return [];
  return [
    `${label("payloadRetentionDays")}: ${payloadRetentionDays} days is not less than ${env("retentionDays")} (${retentionDays} days); ` +
      `payloads go with their events at retention anyway: set it below ${retentionDays}, or unset it to keep payloads for the whole retention`,
  ];
}
