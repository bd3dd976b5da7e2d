// Shared set-up of the web tests: a tiny checkpoint (an untrained LeNet-5 from seed 0, saved
// with torch.save: no training needed) in a fresh runs folder, and an explorer serving it; and
// Debian's chromium, driven by playwright-core, on the explorer's page.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import * as torch from "../../src/index.js";
import { startExplorer, type Explorer, type ServeOptions } from "../../src/server/server.js";

export interface Fixture {
  dir: string;
  checkpoint: string;
  explorer: Explorer;
  close(): Promise<void>;
}

export async function serveTinyCheckpoint(options: ServeOptions = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "torchlet-web-"));
  const checkpoint = join(dir, "tiny-lenet5.safetensors");
  torch.manualSeed(0);
  torch.save(torch.models.lenet5(), checkpoint);
  const explorer = await startExplorer({ port: 0, runsDir: dir, ...options });
  return {
    dir,
    checkpoint,
    explorer,
    async close() {
      await explorer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM = "/usr/bin/chromium";
/** node:test's `skip` for the browser tests: why they cannot run here, or false. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (Debian: apt-get install chromium)`;

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings, and uncaught page errors, as they happen. */
  problems: string[];
  close(): Promise<void>;
}

/** Headless chromium (a fresh profile) on `url`, once the page's `explorer.ready` has settled. */
export async function openExplorerPage(url: string): Promise<BrowserPage> {
  const userDataDir = mkdtempSync(join(tmpdir(), "torchlet-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
  await page.evaluate(() => (window as unknown as { explorer: { ready: Promise<void> } }).explorer.ready);
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
