import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { excerpt, jsonPathStep } from "../domain/excerpt.js";

/**
 * The one object key protobuf-es cannot carry: it decodes a `google.protobuf.Struct` into plain
 * objects, where assigning `obj["__proto__"]` sets the prototype instead of adding the key, so the
 * key and its value vanish from `data` (and from the stored envelope) without an error. Other
 * SDKs (Go, Python) send such a key as any other.
 */
export const UNSTORABLE_KEY = "__proto__";
const MARKER = Buffer.from(UNSTORABLE_KEY);

/**
 * The JSON path of the first `__proto__` key in the `data` of an EmitRequest (`data`, field 3)
 * or of an EmitBatchRequest's events (`events`, field 1, each an EmitRequest), read from the
 * request's wire bytes since the decoded message has lost it; e.g. `events[1].data.a["__proto__"]`.
 * Undefined when there is none. Bytes without the marker are not walked. `bytes` must already
 * have decoded as `rpc`'s request (wire format: protobuf encoding, struct.proto).
 */
export function unstorableKeyPath(rpc: "Emit" | "EmitBatch", bytes: Uint8Array): string | undefined {
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(MARKER) < 0) return undefined;
  if (rpc === "Emit") return unstorableKeyInEmit(bytes, "");
  const reader = new BinaryReader(bytes);
  let index = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field !== 1 || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType);
      continue;
    }
    const found = unstorableKeyInEmit(reader.bytes(), `events[${index++}].`);
    if (found) return found;
  }
  return undefined;
}

function unstorableKeyInEmit(bytes: Uint8Array, prefix: string): string | undefined {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 3 && wireType === WireType.LengthDelimited) {
      const found = unstorableKeyInStruct(reader.bytes(), `${prefix}data`);
      if (found) return found;
    } else {
      reader.skip(wireType);
    }
  }
  return undefined;
}

/** Struct: `map<string, Value> fields = 1` (entries: key = 1, value = 2). */
function unstorableKeyInStruct(bytes: Uint8Array, path: string): string | undefined {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field !== 1 || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType);
      continue;
    }
    const entry = new BinaryReader(reader.bytes());
    let key = "";
    let value: Uint8Array | undefined;
    while (entry.pos < entry.len) {
      const [entryField, entryWireType] = entry.tag();
      if (entryField === 1 && entryWireType === WireType.LengthDelimited) key = entry.string();
      else if (entryField === 2 && entryWireType === WireType.LengthDelimited) value = entry.bytes();
      else entry.skip(entryWireType);
    }
    // `["__proto__"]`, not `.__proto__`: the key reads as an identifier but is the odd one out.
    const keyPath = path + (key === UNSTORABLE_KEY ? `[${excerpt(key)}]` : jsonPathStep(key));
    if (key === UNSTORABLE_KEY) return keyPath;
    const found = value && unstorableKeyInValue(value, keyPath);
    if (found) return found;
  }
  return undefined;
}

/** Value: `Struct struct_value = 5`, `ListValue list_value = 6` (ListValue: `repeated Value values = 1`). */
function unstorableKeyInValue(bytes: Uint8Array, path: string): string | undefined {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 5 && wireType === WireType.LengthDelimited) {
      const found = unstorableKeyInStruct(reader.bytes(), path);
      if (found) return found;
    } else if (field === 6 && wireType === WireType.LengthDelimited) {
      const list = new BinaryReader(reader.bytes());
      let index = 0;
      while (list.pos < list.len) {
        const [listField, listWireType] = list.tag();
        if (listField !== 1 || listWireType !== WireType.LengthDelimited) {
          list.skip(listWireType);
          continue;
        }
        const found = unstorableKeyInValue(list.bytes(), `${path}[${index++}]`);
        if (found) return found;
      }
    } else {
      reader.skip(wireType);
    }
  }
  return undefined;
}
