import type { Subscription } from "@posthorn/proto/schema";

/** An endpoint as an option's text: its URL, and whether it is disabled. */
export function endpointLabel(endpoint: Subscription): string {
  return endpoint.enabled ? endpoint.endpointUrl : `${endpoint.endpointUrl} (disabled)`;
}

/** `<option>`s for the customer's endpoints, valued by subscription id. */
export function EndpointOptions({ endpoints }: { endpoints: Subscription[] }) {
  return (
    <>
      {endpoints.map((endpoint) => (
        <option key={endpoint.id} value={endpoint.id}>
          {endpointLabel(endpoint)}
        </option>
      ))}
    </>
  );
}
