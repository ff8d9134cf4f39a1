import { credentials, makeClientConstructor, type Client, type ServiceError } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

/** The standard gRPC health service (grpc.health.v1.Health) as the tests call it. */
export type HealthClient = Client & {
  check(request: { service: string }, callback: (error: ServiceError | null, response?: { status: string }) => void): void;
};

/** A plaintext health client for `address` (host:port); the caller closes it. */
export function openHealthClient(address: string): HealthClient {
  const Health = makeClientConstructor(healthService, "grpc.health.v1.Health");
  return new Health(address, credentials.createInsecure()) as unknown as HealthClient;
}
