import { toBinary, type DescFile } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { Server } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, service as healthService } from "grpc-health-check";
import { file_posthorn_v1_webhook_service, WebhookService } from "@posthorn/proto";
import type { DatabaseAvailability } from "../store/availability.js";
import { qualifyTypeNames } from "./descriptor-type-names.js";

/** The standard health service's full name (grpc/grpc `doc/health-checking.md`). */
export const HEALTH_SERVICE = "grpc.health.v1.Health";

/**
 * Adds the standard health service (`grpc.health.v1.Health`, statuses for "" and for
 * WebhookService) and server reflection (v1 and v1alpha) to `server`. Reflection describes both
 * WebhookService and the health service, so `grpcurl … grpc.health.v1.Health/Check` and
 * `buf curl --reflect` work without any proto file. Health follows `availability` until
 * `stopFollowingDatabase` is called (shutdown, whose NOT_SERVING must win).
 */
export function addHealthAndReflection(server: Server, availability: DatabaseAvailability): { health: HealthImplementation; stopFollowingDatabase: () => void } {
  const health = new HealthImplementation({ "": "SERVING", [WebhookService.typeName]: "SERVING" });
  health.addToServer(server);
  const stopFollowingDatabase = followDatabase(health, availability);
  new ReflectionService({
    ...reflectionPackage(file_posthorn_v1_webhook_service, WebhookService.typeName),
    // grpc-health-check loads health.proto with proto-loader, whose message definitions carry the
    // file's descriptor: the shape @grpc/reflection indexes (with its type names qualified).
    [HEALTH_SERVICE]: { fileDescriptorProtos: healthService.Check!.requestType.fileDescriptorProtos.map((bytes) => Buffer.from(qualifyTypeNames(bytes))) },
  } as never).addToServer(server);
  return { health, stopFollowingDatabase };
}

/**
 * Health says NOT_SERVING while the database cannot be reached and SERVING when it is back, so
 * load balancers send calls elsewhere meanwhile (every call needs the database).
 */
function followDatabase(health: HealthImplementation, availability: DatabaseAvailability): () => void {
  const set = (up: boolean) => {
    for (const service of ["", WebhookService.typeName]) health.setStatus(service, up ? "SERVING" : "NOT_SERVING");
  };
  if (!availability.up) set(false);
  return availability.onChange(set);
}

/**
 * A proto-loader-shaped package definition for `@grpc/reflection`, built from protobuf-es's
 * embedded file descriptors (the file and everything it imports), so the reflection service
 * describes exactly the generated schema.
 */
function reflectionPackage(file: DescFile, serviceName: string): Record<string, { fileDescriptorProtos: Buffer[] }> {
  const files: DescFile[] = [];
  const visit = (f: DescFile) => {
    if (files.includes(f)) return;
    f.dependencies.forEach(visit);
    files.push(f);
  };
  visit(file);
  const fileDescriptorProtos = files.map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)));
  return { [serviceName]: { fileDescriptorProtos } };
}
