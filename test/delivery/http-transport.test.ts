import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAddressGuard, type Resolver } from "../../server/src/delivery/address-guard.js";
import { createHttpTransport } from "../../server/src/delivery/http-transport.js";
import type { Transport, TransportRequest } from "../../server/src/delivery/transport.js";
import { startConnectProxy } from "./helpers/connect-proxy.js";
import { REFUSED_URLS } from "./helpers/refused-hosts.js";
import { closedPort, startRawReceiver, startReceiver, type Receiver } from "./helpers/receivers.js";

const BODY = Buffer.from('{"api_version":"v1","id":"evt_0123456789abcdef01234567","type":"lead.created"}');
const HEADERS = {
  "Content-Type": "application/json",
  "User-Agent": "Dealix-Webhooks/1.0",
  "Dealix-Event-Id": "evt_0123456789abcdef01234567",
  "Dealix-Delivery-Attempt": "1",
};

function post(url: string, deadlineMs = 5000): TransportRequest {
  return { url, headers: HEADERS, body: BODY, deadlineMs };
}

const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}
async function rawReceiver(...args: Parameters<typeof startRawReceiver>): Promise<Receiver> {
  const r = await startRawReceiver(...args);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** Name resolution for the tests: a fixed table; anything else does not exist. */
function tableResolver(table: Record<string, string[]>, calls: string[] = []): Resolver {
  return async (host) => {
    calls.push(host);
    const found = table[host];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

describe("http transport, one receiver per outcome", () => {
  let transport: Transport;
  beforeAll(() => {
    transport = createHttpTransport({ addressGuard: createAddressGuard({ allowedCidrs: ["127.0.0.1/32"] }) });
  });
  afterAll(() => transport.close());

  it("2xx: sends the exact bytes and headers, returns status and excerpt", async () => {
    const r = await receiver((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
    const outcome = await transport.send(post(`${r.origin}/hooks/in?x=1`));
    expect(outcome).toEqual({ statusCode: 200, responseExcerpt: "ok", durationMs: outcome.durationMs });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
    expect(r.requests).toHaveLength(1);
    const got = r.requests[0]!;
    expect(got.method).toBe("POST");
    expect(got.url).toBe("/hooks/in?x=1");
    expect(got.body.equals(BODY)).toBe(true);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["user-agent"]).toBe("Dealix-Webhooks/1.0");
    expect(got.headers["dealix-event-id"]).toBe("evt_0123456789abcdef01234567");
    expect(got.headers["dealix-delivery-attempt"]).toBe("1");
    expect(got.headers["content-length"]).toBe(String(BODY.length));
  });

  it("3xx: does not follow the redirect and records Location", async () => {
    const r = await receiver((req, res) => {
      if (req.url === "/old") res.writeHead(301, { location: "/new" }).end("moved");
      else res.writeHead(200).end("followed");
    });
    const outcome = await transport.send(post(`${r.origin}/old`));
    expect(outcome).toMatchObject({ statusCode: 301, location: "/new", responseExcerpt: "moved" });
    expect(outcome.errorKind).toBeUndefined();
    expect(r.requests.map((q) => q.url)).toEqual(["/old"]);
  });

  it.each([
    [404, "no such hook"],
    [408, "slow"],
    [410, "gone for good"],
    [500, "boom"],
    [502, ""],
  ])("status %i is returned with its excerpt", async (status, text) => {
    const r = await receiver((_req, res) => res.writeHead(status).end(text));
    const outcome = await transport.send(post(`${r.origin}/`));
    expect(outcome).toEqual({ statusCode: status, responseExcerpt: text, durationMs: outcome.durationMs });
  });

  it("429: captures Retry-After", async () => {
    const r = await receiver((_req, res) => res.writeHead(429, { "retry-after": "120" }).end("slow down"));
    const outcome = await transport.send(post(`${r.origin}/`));
    expect(outcome).toEqual({ statusCode: 429, retryAfter: "120", responseExcerpt: "slow down", durationMs: outcome.durationMs });
  });

  it("503: captures an HTTP-date Retry-After", async () => {
    const r = await receiver((_req, res) => res.writeHead(503, { "retry-after": "Wed, 15 Jan 2025 12:10:00 GMT" }).end());
    const outcome = await transport.send(post(`${r.origin}/`));
    expect(outcome).toMatchObject({ statusCode: 503, retryAfter: "Wed, 15 Jan 2025 12:10:00 GMT" });
  });

  it("an endpoint that never answers times out at the deadline", async () => {
    const r = await receiver(() => {}); // reads the request, never responds
    const outcome = await transport.send(post(`${r.origin}/`, 300));
    expect(outcome).toEqual({
      errorKind: "timeout",
      errorMessage: "deadline of 300 ms exceeded",
      responseExcerpt: "",
      durationMs: outcome.durationMs,
    });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(290);
    expect(outcome.durationMs).toBeLessThan(5000);
    expect(r.requests).toHaveLength(1);
  });

  it("shutdown: aborting the request's signal ends an unanswered attempt at once, recorded as shutdown", async () => {
    const r = await receiver(() => {}); // reads the request, never responds
    const shutdown = new AbortController();
    const sending = transport.send({ ...post(`${r.origin}/`, 10_000), signal: shutdown.signal });
    await waitFor(() => r.requests.length === 1);
    const abortedAt = performance.now();
    shutdown.abort();
    const outcome = await sending;
    expect(performance.now() - abortedAt).toBeLessThan(500);
    expect(outcome).toEqual({
      errorKind: "shutdown",
      errorMessage: "attempt aborted: the server is shutting down",
      responseExcerpt: "",
      durationMs: outcome.durationMs,
    });
    expect(outcome.durationMs).toBeLessThan(5000);
  });

  it("shutdown: a signal aborted before the attempt sends nothing", async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end());
    const outcome = await transport.send({ ...post(`${r.origin}/`), signal: AbortSignal.abort() });
    expect(outcome).toMatchObject({ errorKind: "shutdown", errorMessage: "attempt aborted: the server is shutting down" });
    expect(r.requests).toHaveLength(0);
  });

  it("a body dribbled a byte every 100 ms is cut at the deadline", async () => {
    let closedAt = 0;
    const r = await receiver((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("x");
      const timer = setInterval(() => res.write("x"), 100);
      res.on("close", () => {
        closedAt = Date.now();
        clearInterval(timer);
      });
    });
    const outcome = await transport.send(post(`${r.origin}/`, 500));
    expect(outcome.statusCode).toBe(200);
    expect(outcome.errorKind).toBe("timeout");
    expect(outcome.responseExcerpt).toMatch(/^x+$/);
    expect(outcome.responseExcerpt.length).toBeLessThanOrEqual(10);
    expect(outcome.durationMs).toBeGreaterThanOrEqual(490);
    expect(outcome.durationMs).toBeLessThan(5000);
    await waitFor(() => closedAt > 0); // the receiver sees the connection dropped
  });

  it("headers dribbled a byte every 100 ms are cut at the deadline", async () => {
    const head = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\nok");
    const r = await rawReceiver((socket) => {
      let i = 0;
      const timer = setInterval(() => {
        if (i < head.length && !socket.destroyed) socket.write(head.subarray(i, ++i));
      }, 100);
      socket.on("close", () => clearInterval(timer));
    });
    const outcome = await transport.send(post(`${r.origin}/`, 500));
    expect(outcome).toEqual({
      errorKind: "timeout",
      errorMessage: "deadline of 500 ms exceeded",
      responseExcerpt: "",
      durationMs: outcome.durationMs,
    });
    expect(outcome.durationMs).toBeLessThan(5000);
  });

  it("a 50 MB response: reads 64 KiB, keeps 4 KiB, drops the connection", async () => {
    const total = 50 * 1024 * 1024;
    let written = 0;
    let writtenAtClose = -1;
    const r = await receiver((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(total) });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      res.on("close", () => {
        writtenAtClose = written;
      });
      const pump = () => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const outcome = await transport.send(post(`${r.origin}/`, 10_000));
    expect(outcome.statusCode).toBe(200);
    expect(outcome.errorKind).toBeUndefined();
    expect(outcome.responseTruncated).toBe(true);
    expect(outcome.responseExcerpt).toBe("a".repeat(4096));
    expect(outcome.durationMs).toBeLessThan(5000);
    await waitFor(() => writtenAtClose >= 0);
    // Socket buffers on both sides hold a few MB at most; nowhere near 50 MB was sent.
    expect(writtenAtClose).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });

  it("an excerpt never ends in half a UTF-8 character; invalid bytes become U+FFFD", async () => {
    const euroAcrossTheCut = Buffer.concat([Buffer.alloc(4095, 0x62), Buffer.from("€tail")]);
    const r = await receiver((req, res) => {
      if (req.url === "/cut") res.writeHead(400).end(euroAcrossTheCut);
      else res.writeHead(400).end(Buffer.from([0x6f, 0x6b, 0xff, 0x21]));
    });
    const cut = await transport.send(post(`${r.origin}/cut`));
    expect(cut.responseExcerpt).toBe("b".repeat(4095));
    expect(cut.responseTruncated).toBe(true);
    const invalid = await transport.send(post(`${r.origin}/invalid`));
    expect(invalid.responseExcerpt).toBe("ok\uFFFD!");
    expect(invalid.responseTruncated).toBeUndefined();
  });

  it("connection refused", async () => {
    const port = await closedPort();
    const outcome = await transport.send(post(`http://127.0.0.1:${port}/`));
    expect(outcome.errorKind).toBe("connection_refused");
    expect(outcome.statusCode).toBeUndefined();
    expect(outcome.errorMessage).toContain("ECONNREFUSED");
  });

  it("connection reset by the peer", async () => {
    const r = await rawReceiver((socket) => {
      socket.once("data", () => socket.resetAndDestroy());
    });
    const outcome = await transport.send(post(`${r.origin}/`));
    expect(outcome.errorKind).toBe("connection_reset");
    expect(outcome.statusCode).toBeUndefined();
  });

  it("TLS failure (https to a plain-HTTP port)", async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end());
    const outcome = await transport.send(post(`https://127.0.0.1:${r.port}/`));
    expect(outcome.errorKind).toBe("tls");
    expect(outcome.statusCode).toBeUndefined();
  });
});

describe("http transport, name resolution and address safety", () => {
  it("DNS failure from the injected resolver", async () => {
    const calls: string[] = [];
    const transport = createHttpTransport({
      addressGuard: createAddressGuard({ resolver: tableResolver({}, calls) }),
    });
    try {
      const outcome = await transport.send(post("http://no-such-host.example.com/hook"));
      expect(outcome.errorKind).toBe("dns");
      expect(outcome.errorMessage).toContain("ENOTFOUND");
      expect(calls).toEqual(["no-such-host.example.com"]);
    } finally {
      await transport.close();
    }
  });

  it.each(REFUSED_URLS)("refuses %s before any lookup or connection", async (url, reason) => {
    const calls: string[] = [];
    const transport = createHttpTransport({ addressGuard: createAddressGuard({ resolver: tableResolver({}, calls) }) });
    try {
      const outcome = await transport.send(post(url));
      const expectedKind = reason === "invalid URL" ? "other" : "blocked_address";
      expect(outcome).toEqual({ errorKind: expectedKind, errorMessage: reason, responseExcerpt: "", durationMs: outcome.durationMs });
      expect(calls).toEqual([]);
    } finally {
      await transport.close();
    }
  });

  it("refuses a loopback receiver unless 127.0.0.1 is allowed (no connection is made)", async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end());
    const transport = createHttpTransport({ addressGuard: createAddressGuard() });
    try {
      const outcome = await transport.send(post(`${r.origin}/`));
      expect(outcome).toMatchObject({ errorKind: "blocked_address", errorMessage: "address 127.0.0.1 is not allowed" });
      expect(r.connections()).toBe(0);
    } finally {
      await transport.close();
    }
  });

  it("refuses at send time a public-looking name that resolves to 127.0.0.1", async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end());
    const calls: string[] = [];
    const transport = createHttpTransport({
      addressGuard: createAddressGuard({ resolver: tableResolver({ "hooks.example.com": ["127.0.0.1"] }, calls) }),
    });
    try {
      const url = `http://hooks.example.com:${r.port}/in`;
      const first = await transport.send(post(url));
      expect(first).toEqual({
        errorKind: "blocked_address",
        errorMessage: "hooks.example.com resolves to 127.0.0.1, which is not allowed",
        responseExcerpt: "",
        durationMs: first.durationMs,
      });
      // A retry is checked again: another lookup, another refusal.
      const second = await transport.send(post(url));
      expect(second.errorKind).toBe("blocked_address");
      expect(calls).toEqual(["hooks.example.com", "hooks.example.com"]);
      expect(r.connections()).toBe(0);
    } finally {
      await transport.close();
    }
  });

  it("connects to exactly the address the injected resolver returned when it is allowed", async () => {
    const r = await receiver((_req, res) => res.writeHead(204).end());
    const transport = createHttpTransport({
      addressGuard: createAddressGuard({
        allowedCidrs: ["127.0.0.1/32"],
        resolver: tableResolver({ "hooks.example.com": ["127.0.0.1"] }),
      }),
    });
    try {
      const outcome = await transport.send(post(`http://hooks.example.com:${r.port}/in`));
      expect(outcome).toEqual({ statusCode: 204, responseExcerpt: "", durationMs: outcome.durationMs });
      expect(r.requests).toHaveLength(1);
      expect(r.requests[0]!.headers.host).toBe(`hooks.example.com:${r.port}`);
    } finally {
      await transport.close();
    }
  });

  it("checks every new connection: a name rebound to a blocked address is refused on the next attempt", async () => {
    // The receiver closes each connection, so every attempt needs a new connection and a lookup.
    const r = await receiver((_req, res) => res.writeHead(500, { connection: "close" }).end());
    const answers = [["127.0.0.1"], ["127.0.0.2"]];
    const calls: string[] = [];
    const resolver: Resolver = async (host) => {
      calls.push(host);
      return (answers.shift() ?? []).map((address) => ({ address, family: 4 as const }));
    };
    const transport = createHttpTransport({
      addressGuard: createAddressGuard({ allowedCidrs: ["127.0.0.1/32"], resolver }),
    });
    try {
      const url = `http://rebind.example.com:${r.port}/`;
      expect((await transport.send(post(url))).statusCode).toBe(500);
      const second = await transport.send(post(url));
      expect(second).toMatchObject({
        errorKind: "blocked_address",
        errorMessage: "rebind.example.com resolves to 127.0.0.2, which is not allowed",
      });
      expect(calls).toEqual(["rebind.example.com", "rebind.example.com"]);
      expect(r.requests).toHaveLength(1);
    } finally {
      await transport.close();
    }
  });
});

describe("http transport through an egress proxy", () => {
  it("tunnels through the proxy, which resolves the name (no local lookup)", async () => {
    const r = await receiver((_req, res) => res.writeHead(202).end("queued"));
    const proxy = await startConnectProxy({ "hooks.example.com": "127.0.0.1" });
    const calls: string[] = [];
    // The guard allows nothing non-global, and its resolver knows no names: only the proxy can reach the receiver.
    const transport = createHttpTransport({
      addressGuard: createAddressGuard({ resolver: tableResolver({}, calls) }),
      proxyUrl: proxy.url,
    });
    try {
      const outcome = await transport.send(post(`http://hooks.example.com:${r.port}/in`));
      expect(outcome).toEqual({ statusCode: 202, responseExcerpt: "queued", durationMs: outcome.durationMs });
      expect(proxy.targets).toEqual([`hooks.example.com:${r.port}`]);
      expect(calls).toEqual([]);
      expect(r.requests[0]!.body.equals(BODY)).toBe(true);
    } finally {
      await transport.close();
      await proxy.close();
    }
  });

  it("still refuses literal non-global hosts up front", async () => {
    const proxy = await startConnectProxy({});
    const transport = createHttpTransport({ addressGuard: createAddressGuard(), proxyUrl: proxy.url });
    try {
      for (const url of ["http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/", "http://localhost/"]) {
        expect((await transport.send(post(url))).errorKind).toBe("blocked_address");
      }
      expect(proxy.targets).toEqual([]);
    } finally {
      await transport.close();
      await proxy.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
