import { fromBinary, toBinary, type DescMessage, type DescService, type MessageShape } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";

/**
 * Builds a `@grpc/grpc-js` service definition from a protobuf-es service descriptor: request
 * and response (de)serialization with `toBinary`/`fromBinary`, paths `/<package.Service>/<Method>`.
 * The server registers its handlers on it and the SDK calls through it, so both speak exactly
 * the generated messages (no proto-loader, no second copy of the schema).
 *
 * Keys are the methods' local names (`emit`, `listDeliveries`, …).
 */
export function serviceDefinitionOf(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    if (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming") {
      throw new Error(`${service.typeName}.${method.name}: ${method.methodKind} methods are not supported`);
    }
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      originalName: method.name,
      requestStream: false,
      responseStream: method.methodKind === "server_streaming",
      requestSerialize: serializer(method.input),
      requestDeserialize: deserializer(method.input),
      responseSerialize: serializer(method.output),
      responseDeserialize: deserializer(method.output),
    };
  }
  return definition as ServiceDefinition;
}

function serializer<D extends DescMessage>(schema: D): (message: unknown) => Buffer {
  return (message) => {
    const bytes = toBinary(schema, message as MessageShape<D>);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer<D extends DescMessage>(schema: D): (bytes: Buffer) => MessageShape<D> {
  return (bytes) => fromBinary(schema, bytes);
}
