/** The settings the retention rule reads (a subset of `Config`). */
export interface RetentionSettings {
  retentionDays: number;
  payloadRetentionDays?: number | undefined;
}

/**
 * Rules between the retention settings, each broken one as a line (empty: nothing wrong): the
 * payload retention must be shorter than the retention, since an event's payload goes with its
 * partition at `retentionDays` anyway. `label(key)` names a setting as the config error does.
 */
export function retentionProblems(settings: RetentionSettings, label: (key: keyof RetentionSettings) => string): string[] {
  const { retentionDays, payloadRetentionDays } = settings;
  if (payloadRetentionDays === undefined || payloadRetentionDays < retentionDays) return [];
  return [
    `${label("payloadRetentionDays")}: must be less than ${label("retentionDays")} (${retentionDays} days), got ${payloadRetentionDays}; ` +
      "unset it to keep payloads as long as their events",
  ];
}
