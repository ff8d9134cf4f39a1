import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type DescriptorProto, type EnumDescriptorProto } from "@bufbuild/protobuf/wkt";

/**
 * Rewrites the type references of a serialized `FileDescriptorProto` to fully qualified names
 * (`.grpc.health.v1.HealthCheckResponse.ServingStatus` instead of `ServingStatus`), as protoc
 * writes them. protobufjs (under @grpc/proto-loader, which grpc-health-check uses) keeps them as
 * written in the .proto file, relative to their scope; descriptor.proto says type names in a
 * descriptor are resolved like C++ names, but Go's protodesc (buf curl, grpcurl) refuses
 * relative ones and then cannot find the service at all. References to other files are left as
 * they are. Resolution follows protobuf's scoping: the innermost enclosing scope first. Map
 * entry messages get protoc's names too (`StatusesEntry` for a map field `statuses`; protobufjs
 * writes `Statuses`, which protodesc refuses as well).
 */
export function qualifyTypeNames(bytes: Uint8Array): Uint8Array {
  const file = fromBinary(FileDescriptorProtoSchema, bytes);
  renameMapEntries(file.messageType);
  const root = file.package ? `.${file.package}` : "";
  const known = new Set<string>();
  const collect = (scope: string, messages: DescriptorProto[], enums: EnumDescriptorProto[]) => {
    for (const e of enums) known.add(`${scope}.${e.name}`);
    for (const m of messages) {
      known.add(`${scope}.${m.name}`);
      collect(`${scope}.${m.name}`, m.nestedType, m.enumType);
    }
  };
  collect(root, file.messageType, file.enumType);
  const resolve = (name: string, scope: string): string => {
    if (name === "" || name.startsWith(".")) return name;
    for (let at = scope; ; at = at.slice(0, Math.max(0, at.lastIndexOf(".")))) {
      if (known.has(`${at}.${name}`)) return `${at}.${name}`;
      if (at === "") return name;
    }
  };
  const fix = (scope: string, messages: DescriptorProto[]) => {
    for (const m of messages) {
      const inner = `${scope}.${m.name}`;
      for (const field of m.field) field.typeName = resolve(field.typeName, inner);
      fix(inner, m.nestedType);
    }
  };
  fix(root, file.messageType);
  for (const service of file.service) {
    for (const method of service.method) {
      method.inputType = resolve(method.inputType, root);
      method.outputType = resolve(method.outputType, root);
    }
  }
  return toBinary(FileDescriptorProtoSchema, file);
}

/** Names each map entry message `<FieldInCamelCase>Entry`, as protoc does, and points its field at it. */
function renameMapEntries(messages: DescriptorProto[]): void {
  for (const m of messages) {
    for (const entry of m.nestedType.filter((n) => n.options?.mapEntry === true && !n.name.endsWith("Entry"))) {
      const field = m.field.find((f) => f.typeName === entry.name || f.typeName.endsWith(`.${m.name}.${entry.name}`));
      const name = `${(field?.name ?? entry.name).replace(/(^|_)([a-z])/g, (_, _underscore: string, c: string) => c.toUpperCase())}Entry`;
      if (field) field.typeName = field.typeName.slice(0, field.typeName.length - entry.name.length) + name;
      entry.name = name;
    }
    renameMapEntries(m.nestedType);
  }
}
