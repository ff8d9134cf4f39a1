/**
 * `@posthorn/proto/schema`: only the generated messages, enums and descriptors, without the
 * `@grpc/grpc-js` service definition, so a browser bundle (the portal, over Connect) can import the
 * schema without pulling in a Node-only gRPC library.
 */
export * from "./gen/posthorn/v1/webhook_service_pb.js";
