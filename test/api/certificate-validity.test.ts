/** The warning about a listener certificate that clients will refuse: expired, or not valid yet. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { certificateValidityProblem } from "../../server/src/api/certificate-files.js";
import { createListenerCredentials } from "../../server/src/api/listener-credentials.js";
import type { Config } from "../../server/src/config/config.js";
import { captureLog } from "../helpers/capture-log.js";
import { makeTestCertificates, type TestCertificates } from "../helpers/test-certificates.js";

const DAY_MS = 24 * 3600 * 1000;

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs?.remove());

describe("certificateValidityProblem", () => {
  it("says nothing for a certificate valid now (the test ones are valid 2 days)", () => {
    expect(certificateValidityProblem(certs.read(certs.serverCertFile), Date.now())).toBeUndefined();
  });

  it("names the subject and the expiry of an expired certificate", () => {
    const problem = certificateValidityProblem(certs.read(certs.serverCertFile), Date.now() + 3 * DAY_MS);
    expect(problem).toMatch(/^the certificate \(subject CN=localhost\) expired at \d{4}-\d\d-\d\dT[\d:.]+Z; clients refuse it until it is renewed$/);
  });

  it("names the start of a certificate not valid yet", () => {
    const problem = certificateValidityProblem(certs.read(certs.serverCertFile), Date.now() - DAY_MS);
    expect(problem).toMatch(/^the certificate \(subject CN=localhost\) is not valid before .*Z; clients refuse it until then \(check the clock\)$/);
  });
});

describe("createListenerCredentials", () => {
  it("serves an expired certificate with a warning naming the setting and the file", () => {
    const now = Date.now() + 3 * DAY_MS;
    vi.spyOn(Date, "now").mockReturnValue(now);
    const { logger, lines } = captureLog();
    try {
      const config = { tlsCertFile: certs.serverCertFile, tlsKeyFile: certs.serverKeyFile } as Config;
      const listener = createListenerCredentials(config, logger);
      listener.close();
      expect(listener.mode).toBe("tls");
    } finally {
      vi.restoreAllMocks();
    }
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, setting: "tlsCertFile", msg: expect.stringMatching(new RegExp(`^POSTHORN_TLS_CERT_FILE=${certs.serverCertFile}: the certificate \\(subject CN=localhost\\) expired at `)) }),
    ]);
  });
});
