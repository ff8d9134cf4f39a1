import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

/** A server reflection answer as proto-loader decodes it (only the fields the tests read). */
export interface ReflectionAnswer {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/**
 * Asks a server's reflection service (`grpc.reflection.v1.ServerReflection`, or `v1alpha`) one
 * question, as grpcurl and buf curl do: e.g. `{ listServices: "" }` or
 * `{ fileContainingSymbol: "grpc.health.v1.Health" }`. Uses the reflection proto shipped with
 * @grpc/reflection, so the test does not trust the server's own description of it.
 */
export async function askReflection(address: string, question: Record<string, string>, version: "v1" | "v1alpha" = "v1"): Promise<ReflectionAnswer> {
  const protoRoot = join(dirname(createRequire(import.meta.url).resolve("@grpc/reflection/package.json")), "build", "proto");
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [protoRoot], keepCase: false });
  const reflection = (loadPackageDefinition(definition).grpc as Record<string, Record<string, Record<string, new (...args: unknown[]) => Client>>>).reflection![version]!;
  const client = new reflection.ServerReflection!(address, credentials.createInsecure()) as Client & {
    serverReflectionInfo(): ClientDuplexStream<Record<string, string>, ReflectionAnswer>;
  };
  try {
    return await new Promise<ReflectionAnswer>((resolve, reject) => {
      const stream = client.serverReflectionInfo();
      stream.once("data", (answer: ReflectionAnswer) => {
        resolve(answer);
        stream.end();
      });
      stream.once("error", reject);
      stream.write(question);
    });
  } finally {
    client.close();
  }
}
