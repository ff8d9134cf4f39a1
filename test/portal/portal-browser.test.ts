/**
 * The customer portal in a real browser (headless Chromium via playwright-core): a session link
 * from the CLI, then everything through the page's UI as a customer's developer would: add an
 * endpoint, send test events and watch them live, read a failed attempt, retry it, rotate the
 * secret; another customer's data never shows, even with edited ids; a revoked link says so; phone
 * width. Screenshots of the main views go to docs/portal/.
 */
import { verifySignature } from "@posthorn/verifier";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { describeWithBrowser, launchGuardedBrowser, type GuardedBrowser } from "../helpers/browser.js";
import { eventually } from "../helpers/eventually.js";
import { callFromPage, screenshot, scrollWidth, startPortalWorld, type PortalWorld } from "./portal-session.js";

/** How long a UI condition may take to come true on a loaded CI machine, in ms. */
const UI = { timeout: 20_000 };
/** A step's own limit, in ms: several UI waits in a row, on a loaded machine. */
const STEP = 120_000;

describeWithBrowser("the customer portal in a browser", () => {
  let world: PortalWorld | undefined;
  let guarded: GuardedBrowser | undefined;
  let sessionA: { url: string; keyId: string };
  let context: BrowserContext;
  let page: Page;
  let live: Page;
  let originalSecret = "";
  let subscriptionId = "";

  beforeAll(async () => {
    world = await startPortalWorld();
    guarded = await launchGuardedBrowser();
    sessionA = await world.openSession("cus_a");
    ({ context, page } = await guarded.newPage());
  }, 120_000);
  afterAll(async () => {
    // Each step runs even when an earlier one failed, so nothing is left running.
    await guarded?.close().catch(() => undefined);
    await world?.close();
  });

  const w = () => world!;
  const tab = (p: Page, name: string) => p.getByRole("navigation", { name: "Views" }).getByRole("button", { name, exact: true });
  const row = (p: Page, url: string) => p.getByRole("row", { name: url, exact: true });
  /** Sends a test event to the receiver's endpoint from the Endpoints view; returns the delivery id the status line names. */
  const sendTestEvent = async () => {
    const status = page.getByRole("status").filter({ hasText: "Test event sent" });
    const before = (await status.count()) > 0 ? await status.textContent() : "";
    await row(page, w().receiver.url).getByRole("button", { name: "Send test event" }).click();
    const said = await eventually(
      async () => ((await status.count()) > 0 ? ((await status.textContent()) ?? "") : ""),
      (text) => text !== "" && text !== before,
      400,
    );
    const id = /delivery (\S+) to/.exec(said)?.[1];
    expect(id, said).toBeDefined();
    return id!;
  };

  it("opens from the CLI's link, erases the key from the address bar and sets no cookie", async () => {
    expect(sessionA.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/portal\/#key=phk_/);
    await page.goto(sessionA.url);
    await page.getByRole("heading", { name: "Endpoints" }).waitFor(UI);
    await page.getByText("No endpoints yet").waitFor(UI);
    expect(page.url()).toBe(sessionA.url.replace(/#.*$/, ""));
    expect(await context.cookies()).toEqual([]);
  }, STEP);

  it("adds an endpoint for the receiver and shows its signing secret once", async () => {
    await page.getByLabel("Endpoint URL").fill(w().receiver.url);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const shown = page.getByRole("region", { name: "The new endpoint's signing secret" });
    await shown.waitFor(UI);
    originalSecret = (await shown.locator("code").textContent()) ?? "";
    expect(originalSecret).toMatch(/^whsec_/);
    await row(page, w().receiver.url).waitFor(UI);
    await screenshot(page, "endpoints");
    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached", ...UI });
    expect(await page.getByText(originalSecret).count()).toBe(0);
    const { subscriptions } = await w().admin.listSubscriptions({ customerId: "cus_a" });
    expect(subscriptions.map((s) => s.endpointUrl)).toEqual([w().receiver.url]);
    subscriptionId = subscriptions[0]!.id;
  }, STEP);

  it("shows a test event's successful attempt live", async () => {
    ({ page: live } = await guarded!.newPage());
    await live.goto(sessionA.url);
    await tab(live, "Live").click();
    await live.getByText("Listening: attempts appear here as they happen.").waitFor(UI);
    const succeeded = live.getByRole("list", { name: "Attempts, newest first" }).getByRole("listitem").filter({ hasText: w().receiver.url }).filter({ hasText: "succeeded" });
    // The stream may still be opening on the server when the first event goes out (attempts
    // made before it are not replayed): send again until one shows.
    await expect
      .poll(
        async () => {
          if ((await succeeded.count()) === 0) await sendTestEvent();
          return succeeded.first().waitFor({ timeout: 8000 }).then(() => true, () => false);
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBe(true);
    expect(await succeeded.first().textContent()).toContain("HTTP 200");
    await screenshot(live, "live");
  }, STEP);

  it("shows a failed attempt with the receiver's answer in the delivery log; Retry then succeeds", async () => {
    const received = w().receiver.requests.length;
    w().answer.status = 500;
    w().answer.body = "receiver is down";
    const id = await sendTestEvent();
    await w().receiver.waitFor(received + 1);

    await tab(page, "Delivery log").click();
    await page.getByRole("button", { name: `Attempts of ${id}` }).click();
    const detail = page.getByRole("region", { name: `Delivery ${id}` });
    const failed = detail.getByRole("listitem").filter({ hasText: "Attempt 1: Failed, will retry" });
    await failed.waitFor(UI);
    expect(await failed.locator("dt:has-text('Status') + dd").textContent()).toBe("500");
    expect(await failed.getByText("receiver is down").isVisible()).toBe(true);
    await screenshot(page, "delivery-log");

    w().answer.status = 200;
    w().answer.body = "ok";
    await detail.getByRole("button", { name: "Retry" }).click();
    await detail.getByRole("listitem").filter({ hasText: "Attempt 2: Succeeded" }).waitFor(UI);
    const logRow = page.getByRole("row").filter({ has: page.getByRole("button", { name: `Attempts of ${id}` }) });
    await logRow.getByText("Succeeded", { exact: true }).waitFor(UI);
    expect(w().receiver.requests.at(-1)!.body.toString()).toContain("This is a test event");
  }, STEP);

  it("rotates the secret with a grace period; the reveal shows the new one and the previous one; requests verify with the new one", async () => {
    await tab(page, "Endpoints").click();
    await row(page, w().receiver.url).getByRole("button", { name: "Manage" }).click();
    const panel = page.getByRole("region", { name: `Manage ${w().receiver.url}` });
    await panel.waitFor(UI);
    await panel.getByLabel("Keep the current secret valid for").selectOption({ label: "1 hour" });
    await panel.getByRole("button", { name: "Rotate secret" }).click();
    const rotated = panel.getByRole("region", { name: "New signing secret" });
    await rotated.waitFor(UI);
    const newSecret = (await rotated.locator("code").textContent()) ?? "";
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(originalSecret);
    await rotated.getByRole("button", { name: "Done" }).click();

    await panel.getByRole("button", { name: "Reveal secret" }).click();
    const hide = panel.getByRole("button", { name: "Hide secret" });
    await hide.waitFor(UI);
    // The revealed value is the code next to "Hide secret" (the previous ones are list items).
    const revealed = panel.locator("p").filter({ has: page.getByRole("button", { name: "Hide secret" }) }).locator("code");
    expect(await revealed.textContent()).toBe(newSecret);
    await panel.getByRole("listitem").filter({ hasText: originalSecret }).waitFor(UI);
    await screenshot(page, "endpoint-panel");

    const received = w().receiver.requests.length;
    await sendTestEvent();
    const request = (await w().receiver.waitFor(received + 1))[received]!;
    const header = String(request.headers["dealix-signature"]);
    expect(verifySignature({ payload: request.body, header, secrets: [newSecret] }).ok).toBe(true);
    expect(subscriptionId).not.toBe("");
  }, STEP);

  it("shows nothing of another customer, even for edited ids; that customer's link shows only theirs", async () => {
    const otherUrl = w().receiver.url.replace(/\/hook$/, "/cus-b-hook");
    const { subscription: other } = await w().admin.subscribe({ customerId: "cus_b", endpointUrl: otherUrl });
    await w().admin.emit({ type: "reply.received", customerId: "cus_b", data: { n: 1 } });
    const theirs = await eventually(
      async () => (await w().admin.listDeliveries({ subscriptionId: other!.id })).deliveries,
      (deliveries) => deliveries.length > 0,
    );
    expect(theirs).toHaveLength(1);

    await page.getByRole("button", { name: "Refresh" }).click();
    await row(page, w().receiver.url).waitFor(UI);
    expect(await page.getByText(otherUrl).count()).toBe(0);
    await tab(page, "Delivery log").click();
    await page.getByRole("region", { name: "Deliveries table" }).waitFor(UI);
    expect(await page.getByText(w().receiver.url).count()).toBeGreaterThan(0);
    expect(await page.getByText(otherUrl).count()).toBe(0);

    expect(await callFromPage(page, "GetDelivery", { id: theirs[0]!.id })).toEqual({ status: 404, code: "not_found" });
    expect(await callFromPage(page, "GetSubscription", { id: other!.id })).toEqual({ status: 404, code: "not_found" });
    expect(await callFromPage(page, "RetryDelivery", { id: theirs[0]!.id })).toEqual({ status: 404, code: "not_found" });

    const { page: pageB } = await guarded!.newPage();
    await pageB.goto((await w().openSession("cus_b")).url);
    await row(pageB, otherUrl).waitFor(UI);
    expect(await pageB.getByText(w().receiver.url, { exact: true }).count()).toBe(0);
    await tab(pageB, "Delivery log").click();
    await pageB.getByRole("region", { name: "Deliveries table" }).getByText(otherUrl).first().waitFor(UI);
    expect(await pageB.getByText(w().receiver.url, { exact: true }).count()).toBe(0);
    await pageB.close();
  }, STEP);

  it("fits a phone's width (375 px): Endpoints and Delivery log scroll only vertically", async () => {
    const { page: phone } = await guarded!.newPage({ width: 375, height: 800 });
    await phone.goto(sessionA.url);
    await row(phone, w().receiver.url).waitFor(UI);
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "phone");
    await tab(phone, "Delivery log").click();
    await phone.getByRole("region", { name: "Deliveries table" }).waitFor(UI);
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    // A delivery's attempts too: its heading holds a long id.
    await phone.getByRole("button", { name: /^Attempts of dlv_/ }).first().click();
    await phone.getByRole("heading", { name: /^Delivery dlv_/ }).waitFor(UI);
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "phone-delivery-log");
    await phone.close();
  }, STEP);

  it("says the link expired once its key is revoked", async () => {
    await w().admin.revokeApiKey({ id: sessionA.keyId });
    await page.reload();
    await page.getByRole("alert").filter({ hasText: "This portal link has expired or was revoked" }).first().waitFor(UI);
    // The live view's stream ends with it, and says so too.
    await live.getByRole("alert").filter({ hasText: "This portal link has expired or was revoked" }).waitFor(UI);
  }, STEP);

  it("takes a new link pasted into the open tab (only the fragment changes); a cut-off link says it is incomplete", async () => {
    const renewed = await w().openSession("cus_a");
    await page.goto(renewed.url);
    await tab(page, "Endpoints").click();
    await row(page, w().receiver.url).waitFor(UI);
    expect(page.url()).not.toContain("#key=");
    const { page: damaged } = await guarded!.newPage();
    await damaged.goto(renewed.url.slice(0, renewed.url.indexOf("#key=") + "#key=phk_".length + 10));
    await damaged.getByRole("alert").filter({ hasText: "This portal link is incomplete" }).waitFor(UI);
    await damaged.close();
  }, STEP);

  it("made no third-party request and logged no error (CSP violations included)", () => {
    expect(guarded!.problems).toEqual({ errors: [], foreignRequests: [] });
  }, STEP);
});
