import type { DescService } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { serviceDefinitionOf } from "@posthorn/proto";
import { InvalidArgumentError } from "../domain/errors.js";
import { UNSTORABLE_KEY, unstorableKeyPath } from "./proto-key-check.js";

/**
 * Request bytes that protobuf could not decode (bad UTF-8 in a string, a truncated field,
 * nesting beyond protobuf-es's recursion limit of 100 messages, which `data` reaches at about
 * 49 JSON levels). grpc-js answers a throwing deserializer with INTERNAL "Error deserializing
 * request" and logs nothing, so the server's deserializer returns this marker instead and the
 * call's handler answers INVALID_ARGUMENT (see `undecodableRequest`). So does `data` holding a
 * `__proto__` key, which decoding would silently drop (see `unstorableKeyPath`).
 */
const UNDECODABLE = Symbol("posthorn.undecodable");

interface Undecodable {
  [UNDECODABLE]: InvalidArgumentError;
}

/**
 * The SDK's service definition of `service` (the same paths and serializers), whose request
 * deserializers never throw: bytes that do not decode become a marker that
 * `undecodableRequest` finds. Responses are serialized as in the SDK.
 */
export function serverDefinitionOf(service: DescService): ServiceDefinition {
  const definition = serviceDefinitionOf(service);
  for (const method of service.methods) {
    const entry = definition[method.localName]!;
    const decode = entry.requestDeserialize;
    entry.requestDeserialize = (bytes: Buffer) => {
      try {
        const request = decode(bytes);
        const keyPath = method.name === "Emit" || method.name === "EmitBatch" ? unstorableKeyPath(method.name, bytes) : undefined;
        if (keyPath === undefined) return request;
        return { [UNDECODABLE]: unstorableKeyError(keyPath) } satisfies Undecodable;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const hint = /recursion depth/.test(reason) ? " (`data` may be nested at most 32 levels deep)" : "";
        return {
          [UNDECODABLE]: new InvalidArgumentError("request", `could not be decoded as ${method.input.typeName}: ${reason}${hint}`),
        } satisfies Undecodable;
      }
    };
  }
  return definition;
}

/** The INVALID_ARGUMENT error for a request that did not decode, or undefined for a decoded one. */
export function undecodableRequest(request: unknown): InvalidArgumentError | undefined {
  return typeof request === "object" && request !== null && UNDECODABLE in request ? (request as Undecodable)[UNDECODABLE] : undefined;
}

/** The INVALID_ARGUMENT error for a `__proto__` key at `keyPath` of a request's `data` (see proto-key-check.ts). */
export function unstorableKeyError(keyPath: string): InvalidArgumentError {
  return new InvalidArgumentError(
    keyPath,
    `the key ${JSON.stringify(UNSTORABLE_KEY)} is not accepted (this server's protobuf runtime would drop it and its value); rename it`,
  );
}
