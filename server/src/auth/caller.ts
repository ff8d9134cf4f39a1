import type { ApiKeyRoleName } from "../domain/api-key-role.js";
import type { Scope } from "../store/scope.js";

/** Who makes a call: the API key it was authenticated with. */
export interface Caller {
  keyId: string;
  keyName: string;
  role: ApiKeyRoleName;
  /** customer role: the customer the key is bound to. */
  customerId: string | undefined;
  /** emitter role: the customers it may emit for; empty means any. */
  emitCustomerIds: readonly string[];
}

/** What a caller may see: a customer key its customer's objects only, any other key everything. */
export function scopeOf(caller: Caller): Scope {
  return { customerId: caller.role === "customer" ? caller.customerId : undefined };
}

/** How a caller is named in messages: `API key key_… (emitter)`. */
export function describeCaller(caller: Caller): string {
  return `API key ${caller.keyId} (${caller.role})`;
}
