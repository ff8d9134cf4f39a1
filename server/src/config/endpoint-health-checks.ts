/** The settings the endpoint health rule reads (a subset of `Config`). */
export interface EndpointHealthTimes {
  endpointWarnAfterHours: number;
  endpointDisableAfterHours: number;
}

/**
 * The rule between the endpoint health settings, as a line naming both variables and the fix
 * (none when fine): with auto-disable on (`endpointDisableAfterHours` > 0), the warning
 * (`endpoint.failing`) must come before the disable, so `endpointWarnAfterHours` must be below
 * it; otherwise customers would be disabled without the warning that lets them act (README
 * "Endpoint health"). `label` and `env` name settings as in listener-checks.ts.
 */
export function endpointHealthProblems(
  settings: EndpointHealthTimes,
  label: (key: keyof EndpointHealthTimes) => string,
  env: (key: keyof EndpointHealthTimes) => string,
): string[] {
  const { endpointWarnAfterHours, endpointDisableAfterHours } = settings;
  if (endpointDisableAfterHours === 0 || endpointWarnAfterHours < endpointDisableAfterHours) return [];
  return [
    `${label("endpointWarnAfterHours")}: ${endpointWarnAfterHours} hours is not less than ${env("endpointDisableAfterHours")} ` +
      `(${endpointDisableAfterHours} hours); the warning must come before the disable: set it below ${endpointDisableAfterHours}, ` +
      `or set ${env("endpointDisableAfterHours")} to 0 to never disable for failing`,
  ];
}
