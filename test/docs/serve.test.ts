// `torchlet serve` serves the API reference at /docs/ when `npm run docs` has written it, and
// says how to build it when not.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startExplorer } from "../../src/server/server.js";
import { repoRoot } from "../golden/golden.js";

test("/docs redirects to /docs/, which is the reference or a page saying how to build it", async () => {
  const runsDir = mkdtempSync(join(tmpdir(), "torchlet-docs-serve-"));
  const explorer = await startExplorer({ port: 0, runsDir });
  try {
    const bare = await fetch(new URL("/docs", explorer.url), { redirect: "manual" });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get("location"), "/docs/");
    const page = await fetch(new URL("/docs/", explorer.url));
    assert.match(String(page.headers.get("content-type")), /^text\/html/);
    const html = await page.text();
    if (existsSync(join(repoRoot(), "docs", "api", "index.html"))) {
      assert.equal(page.status, 200);
      assert.match(html, /torchlet API reference/);
      const tensor = await fetch(new URL("/docs/classes/Tensor.html", explorer.url));
      assert.equal(tensor.status, 200);
      assert.equal((await fetch(new URL("/docs/assets/style.css", explorer.url))).headers.get("content-type"), "text/css; charset=utf-8");
    } else {
      assert.equal(page.status, 404);
      assert.match(html, /npm run docs/);
    }
  } finally {
    await new Promise((resolve) => explorer.server.close(resolve));
    rmSync(runsDir, { recursive: true, force: true });
  }
});
