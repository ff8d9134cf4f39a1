import type { Socket } from "node:net";
import type { Server as HttpServer } from "node:http";
import type { Http2SecureServer, Http2Session } from "node:http2";
import type { TLSSocket } from "node:tls";

/**
 * The connections of the HTTP listener, for a bounded stop: HTTP/1.1 sockets with their requests
 * in flight, and HTTP/2 sessions. `drain` closes idle keep-alive sockets at once, the others as
 * their last response ends, and sends every HTTP/2 session GOAWAY (its open streams finish);
 * `destroy` ends everything still open (the grace is over).
 */
export class HttpConnections {
  private readonly active = new Map<Socket, number>();
  private readonly sessions = new Set<Http2Session>();
  private draining = false;

  /** Follows the connections of `server` (plain HTTP/1.1, or TLS with HTTP/2 and HTTP/1.1). */
  constructor(server: HttpServer | Http2SecureServer) {
    const onSocket = (socket: Socket) => {
      // An HTTP/2 connection is followed as its session.
      if ((socket as TLSSocket).alpnProtocol === "h2") return;
      this.active.set(socket, 0);
      socket.once("close", () => this.active.delete(socket));
    };
    if ("setSecureContext" in server) server.on("secureConnection", onSocket);
    else server.on("connection", onSocket);
    server.on("session", (session: Http2Session) => {
      this.sessions.add(session);
      session.once("close", () => this.sessions.delete(session));
      // A peer that resets the connection: the session's streams end; nothing to crash over.
      session.on("error", () => {});
      if (this.draining) session.close();
    });
  }

  /** One HTTP/1.1 request on `socket` started; its response's `close` ends it (`finished`). */
  started(socket: Socket): void {
    const count = this.active.get(socket);
    if (count !== undefined) this.active.set(socket, count + 1);
  }

  /** The request on `socket` ended; when draining, the socket closes once it has none left. */
  finished(socket: Socket): void {
    const count = this.active.get(socket);
    if (count === undefined) return;
    this.active.set(socket, count - 1);
    if (this.draining && count - 1 <= 0) socket.destroy();
  }

  /** True from `drain` on: responses should say `Connection: close`. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Starts the graceful close (see the class). */
  drain(): void {
    this.draining = true;
    for (const [socket, count] of this.active) if (count <= 0) socket.destroy();
    for (const session of this.sessions) session.close();
  }

  /** Ends every connection still open now. */
  destroy(): void {
    for (const socket of this.active.keys()) socket.destroy();
    for (const session of this.sessions) session.destroy();
  }
}
