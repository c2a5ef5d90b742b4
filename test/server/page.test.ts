import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Recommender } from "../../src/recommend/recommender.js";
import { Suggester } from "../../src/recommend/suggester.js";
import { buildApp } from "../../src/server/app.js";
import { CONTENT_SECURITY_POLICY, PUBLIC_FILES } from "../../src/server/public-files.js";
import { SqliteTrendingStore } from "../../src/trending/sqlite-store.js";

/**
 * The compose page (src/server/public) in real headless Chromium, served by a real fastify app:
 * once with the product (shipped model + SQLite trending store), once with a stub API that
 * answers hostile hashtags, errors and late answers.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const TIMEOUT = 60_000;

async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the compose page test needs it (apt-get install chromium); it is never downloaded`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error(`unexpected server address ${String(address)}`);
  return `http://127.0.0.1:${address.port}`;
}

/** Page errors and console errors (CSP violations land there): the page must have none. */
function watchErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  return problems;
}

/** Waits until no request is pending or in flight (the page marks its state on #app). */
async function settled(page: Page): Promise<void> {
  await page.locator("#app[data-state=idle]").waitFor({ timeout: TIMEOUT });
}

describe("compose page with the product (shipped model, SQLite store)", () => {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let app: FastifyInstance | undefined;
  let suggester: Suggester | undefined;
  let url = "";

  beforeAll(async () => {
    browser = await launchBrowser();
    const recommender = await Recommender.load(`${ROOT}/models/default`);
    const store = SqliteTrendingStore.open(":memory:", { halfLifeHours: 1 });
    suggester = new Suggester(recommender, store, { clock: "data" });
    const base = Date.parse("2024-04-25T05:00:00Z");
    await suggester.ingest([
      { text: "Dawn service at the cenotaph. Lest we forget #AnzacDay", time: base },
      { text: "Two-up at the pub after the march #AnzacDay #Anzac", time: base + 20 * 60_000 },
      { text: "Remembering great-grandad today #AnzacDay", time: base + 40 * 60_000 },
      { text: "Gallipoli, 1915. We will remember them #AnzacDay #LestWeForget", time: base + 55 * 60_000 },
    ]);
    app = buildApp({ suggester, modelName: "models/default" });
    url = await listen(app);
    context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
    await suggester?.close();
  });

  it("serves the page with its CSP and shows the hint, the counter and what it runs on", async () => {
    const page = await context!.newPage();
    const problems = watchErrors(page);
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await expect(page.title()).resolves.toBe("hashtag-rec");
    await expect(page.locator("#status").textContent()).resolves.toMatch(/start typing/iu);
    await expect(page.locator("#counter").textContent()).resolves.toBe("0 / 280");
    await page.locator("#footer", { hasText: "store sqlite" }).waitFor({ timeout: TIMEOUT });
    await expect(page.locator("#footer").textContent()).resolves.toContain("models/default");
    expect(problems).toEqual([]);
    await page.close();
  }, TIMEOUT);

  it("suggests as you type; a click inserts the hashtag at the caret", async () => {
    const page = await context!.newPage();
    const problems = watchErrors(page);
    await page.goto(url);
    const textarea = page.locator("textarea");
    const draft = "Lest we forget the fallen soldiers ";
    await textarea.pressSequentially(draft, { delay: 20 });
    const options = page.locator("#suggestions [role=option]");
    await options.first().waitFor({ timeout: TIMEOUT });
    await settled(page);
    await expect(page.locator("#counter").textContent()).resolves.toBe(`${draft.length} / 280`);
    const count = await options.count();
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(8);
    await expect(page.locator("#suggestions").getAttribute("role")).resolves.toBe("listbox");
    // Each option: "#Hashtag", its count, a sparkline of 24 hours, a tooltip with the score.
    const first = options.first();
    const tag = (await first.locator(".tag").textContent()) ?? "";
    expect(tag).toMatch(/^#\S+$/u);
    await expect(first.locator(".count").textContent()).resolves.toMatch(/^[\d,]+ uses?$/u);
    await expect(first.getAttribute("title")).resolves.toMatch(/score \d/u);
    await expect(first.locator("svg polyline").count()).resolves.toBe(1);
    const points = (await first.locator("svg polyline").getAttribute("points")) ?? "";
    expect(points.trim().split(/\s+/u)).toHaveLength(24);
    // AnzacDay was ingested this hour: it is among the suggestions for this draft.
    await expect(page.locator("#suggestions .tag").allTextContents()).resolves.toContain("#AnzacDay");

    await first.click();
    const value = await textarea.inputValue();
    expect(value).toBe(`${draft}${tag} `);
    // The caret is after the insertion and the textarea keeps the focus.
    const caret = await textarea.evaluate((el) => [(el as unknown as { selectionStart: number }).selectionStart, el === el.ownerDocument.activeElement]);
    expect(caret).toEqual([value.length, true]);
    // The list refreshes without the hashtag just used.
    await page.waitForFunction(
      (used) => !Array.from((globalThis as unknown as { document: { querySelectorAll(s: string): { textContent: string | null }[] } }).document.querySelectorAll("#suggestions .tag")).some((t) => t.textContent === used),
      tag,
      { timeout: TIMEOUT },
    );
    expect(problems).toEqual([]);
    await page.close();
  }, TIMEOUT);

  it("completes a partial hashtag: #anz lists anz… hashtags and Enter replaces the fragment", async () => {
    const page = await context!.newPage();
    const problems = watchErrors(page);
    await page.goto(url);
    const textarea = page.locator("textarea");
    await textarea.pressSequentially("Dawn service this morning #anz", { delay: 20 });
    const tags = page.locator("#suggestions .tag");
    await page.locator("#suggestions .tag", { hasText: /^#AnzacDay$/u }).waitFor({ timeout: TIMEOUT });
    await settled(page);
    const shown = await tags.allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    for (const t of shown) expect(t.toLowerCase()).toMatch(/^#anz/u);
    // Completing: the best match is highlighted, so Enter takes it; move to AnzacDay if it is not first.
    const index = shown.indexOf("#AnzacDay");
    expect(index).toBeGreaterThanOrEqual(0);
    await expect(page.locator("#suggestions [role=option]").first().getAttribute("aria-selected")).resolves.toBe("true");
    for (let i = 0; i < index; i++) await textarea.press("ArrowDown");
    const active = page.locator("#suggestions [role=option][aria-selected=true]");
    await expect(active.locator(".tag").textContent()).resolves.toBe("#AnzacDay");
    const activeId = await active.getAttribute("id");
    await expect(textarea.getAttribute("aria-activedescendant")).resolves.toBe(activeId);
    await textarea.press("Enter");
    const value = await textarea.inputValue();
    expect(value).toBe("Dawn service this morning #AnzacDay ");
    expect(value.endsWith("#AnzacDay ")).toBe(true);
    expect(value).not.toMatch(/#anz\b/u);

    // Escape hides the list; with no highlighted item Enter is a newline again.
    await textarea.pressSequentially("remembering", { delay: 20 });
    await page.locator("#suggestions [role=option]").first().waitFor({ timeout: TIMEOUT });
    await settled(page);
    await textarea.press("Escape");
    await expect(page.locator("#suggestions").isHidden()).resolves.toBe(true);
    await expect(textarea.getAttribute("aria-activedescendant")).resolves.toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  }, TIMEOUT);

  it("after a hashtag is typed, puts first the one used with it, above a busier one", async () => {
    const base = Date.parse("2024-04-25T06:00:00Z");
    await suggester!.ingest([
      ...Array.from({ length: 3 }, (_, i) => ({ text: "Proud of the team tonight #ZzqTeam #ZzqTeamForever", time: base + i * 1000 })),
      ...Array.from({ length: 3 }, (_, i) => ({ text: "Proud of the team tonight #ZzqTeam", time: base + 3000 + i * 1000 })),
      ...Array.from({ length: 8 }, (_, i) => ({ text: "Proud of the team tonight #ZzqBusy", time: base + 6000 + i * 1000 })),
    ]);
    const page = await context!.newPage();
    const problems = watchErrors(page);
    await page.goto(url);
    const textarea = page.locator("textarea");
    await textarea.pressSequentially("Proud of the team tonight ", { delay: 20 });
    const first = page.locator("#suggestions [role=option] .tag").first();
    await page.locator("#suggestions .tag", { hasText: /^#ZzqBusy$/u }).waitFor({ timeout: TIMEOUT });
    await settled(page);
    await expect(first.textContent()).resolves.toBe("#ZzqBusy");
    await textarea.pressSequentially("#ZzqTeam ", { delay: 20 });
    await page.locator("#suggestions .tag", { hasText: /^#ZzqTeamForever$/u }).waitFor({ timeout: TIMEOUT });
    await settled(page);
    await expect(first.textContent()).resolves.toBe("#ZzqTeamForever");
    await page.locator("#suggestions [role=option]").first().click();
    await expect(textarea.inputValue()).resolves.toBe("Proud of the team tonight #ZzqTeam #ZzqTeamForever ");
    expect(problems).toEqual([]);
    await page.close();
  }, TIMEOUT);
});

describe("compose page against a stub API (hostile data, errors, late answers)", () => {
  const EVIL = `<img src=x onerror="window.__pwned=1">`;
  let browser: Browser | undefined;
  let app: FastifyInstance | undefined;
  let url = "";
  const requests: { text: string; k: number; cursor?: number }[] = [];

  function item(hashtag: string, count = 3) {
    return { hashtag, key: hashtag.toLowerCase(), score: 0.5, count, trend: { score: 1.5, series: Array.from({ length: 24 }, (_, i) => i % 5) } };
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    app = Fastify();
    // The same public files, served the same way as buildApp does.
    for (const [path, file] of Object.entries(PUBLIC_FILES)) {
      const content = readFileSync(file.path);
      app.get(path, async (_request, reply) =>
        reply.header("content-type", file.type).header("content-security-policy", CONTENT_SECURITY_POLICY).header("x-content-type-options", "nosniff").send(content),
      );
    }
    app.get("/readyz", async () => ({ status: "ready", store: "stub", model: "stub" }));
    app.post<{ Body: { text: string; k: number; cursor?: number } }>("/v1/suggest", async (request, reply) => {
      const body = request.body;
      requests.push(body);
      if (body.text.includes("fail")) {
        return reply.status(503).send({ error: { code: "STORE_UNAVAILABLE", message: "the <b>trending</b> store is down" } });
      }
      if (body.text.includes("slow")) {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return { suggestions: [item("Stale")], took_ms: 1500 };
      }
      return { suggestions: [item(EVIL, 7), item("Fresh")], took_ms: 1 };
    });
    url = await listen(app);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("shows a hostile hashtag as text and runs nothing", async () => {
    const page = await browser!.newPage();
    const problems = watchErrors(page);
    await page.goto(url);
    await page.locator("textarea").pressSequentially("hello world", { delay: 20 });
    await page.locator("#suggestions [role=option]").first().waitFor({ timeout: TIMEOUT });
    await settled(page);
    await expect(page.locator("#suggestions .tag").first().textContent()).resolves.toBe(`#${EVIL}`);
    await expect(page.locator("#suggestions img").count()).resolves.toBe(0);
    await expect(page.locator("img").count()).resolves.toBe(0);
    // The request: the draft, k 8, the caret at the end.
    expect(requests.at(-1)).toEqual({ text: "hello world", k: 8, cursor: 11 });
    // Inserting it puts the literal text in the textarea, still without running anything.
    await page.locator("#suggestions [role=option]").first().click();
    await expect(page.locator("textarea").inputValue()).resolves.toBe(`hello world #${EVIL} `);
    await page.waitForTimeout(300);
    await expect(page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).resolves.toBeUndefined();
    await expect(page.locator("img").count()).resolves.toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  }, TIMEOUT);

  it("shows API errors in the status line, as text", async () => {
    const page = await browser!.newPage();
    await page.goto(url);
    await page.locator("textarea").pressSequentially("this will fail", { delay: 20 });
    await page.locator("#status[data-kind=error]").waitFor({ timeout: TIMEOUT });
    await expect(page.locator("#status").textContent()).resolves.toBe("STORE_UNAVAILABLE: the <b>trending</b> store is down");
    await expect(page.locator("#status b").count()).resolves.toBe(0);
    await page.close();
  }, TIMEOUT);

  it("skips blank drafts and renders only the latest request's answer", async () => {
    const page = await browser!.newPage();
    await page.goto(url);
    const textarea = page.locator("textarea");
    const before = requests.length;
    await textarea.fill("   ");
    await page.waitForTimeout(400);
    expect(requests.length).toBe(before);
    await expect(page.locator("#status").textContent()).resolves.toMatch(/start typing/iu);

    // A slow answer (Stale) is overtaken by a later request; only the later one is shown.
    await textarea.fill("slow");
    await expect.poll(() => requests.some((r) => r.text === "slow"), { timeout: TIMEOUT }).toBe(true); // in flight
    await textarea.fill("quick now");
    await page.waitForTimeout(2500); // both answers are back by now
    await settled(page);
    const tags = await page.locator("#suggestions .tag").allTextContents();
    expect(tags).toContain("#Fresh");
    expect(tags).not.toContain("#Stale");
    await page.close();
  }, TIMEOUT);
});
