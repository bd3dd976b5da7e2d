// `torchlet serve`: the web explorer's HTTP server on node:http. Routes:
//   GET  /                            the page (web/static/index.html)
//   GET  /static/<file>               web/static/ (CSS, ...)
//   GET  /lib/<module>.js             the compiled browser entry, the page's code and their imports
//   GET  /lib/kernels/wasm/kernels.wasm  the compiled WebAssembly kernels (when built)
//   GET  /docs/<file>                 the API reference (docs/api/, written by `npm run docs`)
//   GET  /api/checkpoints             the registry: [{ id, name, bytes, metadata, tensors, ... }]
//   GET  /api/checkpoints/<id>        a checkpoint's safetensors bytes
//   GET  /api/checkpoints/<id>/metrics  its metrics log as a JSON array
//   GET  /api/mnist/<file>[?limit=N]  an MNIST IDX file (or its first N items), for training in the page
//   POST /api/train                   start a run (JSON body, see train/request.ts); 409 if one runs
//   POST /api/train/stop              ask the run to stop
//   GET  /api/train/events            server-sent events of the current run
// Everything else is 404; errors are JSON {"error": message}. A client gets 10 s for its headers
// and 30 s for a whole request (then 408 and the connection is closed), 5 s idle between requests.

import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { createHash } from "node:crypto";
import { builtinShim, compiledRoot, CONTENT_TYPES, moduleGraph, packageRoot, staticFiles, type AssetTable } from "./assets.js";
import { drain, HttpError, readJsonBody, requestPath, SECURITY_HEADERS, sendJson } from "./http-util.js";
import { MnistFiles } from "./mnist-files.js";
import { CheckpointRegistry } from "./registry.js";
import { BadRequest, parseTrainRequest } from "../train/request.js";
import { Conflict, TrainingManager, type TrainEvent } from "./training.js";

export interface ServeOptions {
  /** Default 127.0.0.1: only this machine can connect. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  checkpoint?: string;
  /** Where existing runs are found and new ones written (default "runs"). */
  runsDir?: string;
  dataDir?: string;
  /** The largest accepted request body (default 16 KiB: the API's bodies are a few hundred bytes). */
  maxBodyBytes?: number;
  /** Time a client has to send a request's headers, from its first byte (default 10 s); then 408 and the connection is closed. */
  headersTimeoutMs?: number;
  /** Time a client has to send a whole request, body included (default 30 s; at least headersTimeoutMs). */
  requestTimeoutMs?: number;
  /** How long a keep-alive connection may sit idle between requests (default 5 s, Node's). */
  keepAliveTimeoutMs?: number;
}

/** The defaults of the three timeouts: a slow or stalled client is cut off instead of held forever. */
export const SERVE_TIMEOUTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

export interface Explorer {
  url: string;
  server: Server;
  registry: CheckpointRegistry;
  training: TrainingManager;
  /** Imports the browser cannot load (should be empty), found while collecting the modules. */
  moduleProblems: string[];
  /** node: built-ins the browser's modules import (served as throwing stand-ins; should be empty). */
  builtinImports: string[];
  close(): Promise<void>;
}

/** Where the page fetches the kernels (src/web/backend.ts); the builds (scripts/build-wasm.mjs) lie beside it. */
export const WASM_PATH = "/lib/kernels/wasm/kernels.wasm";
export const WASM_THREADS_PATH = "/lib/kernels/wasm/kernels-threads.wasm";
const WASM_BUILDS = ["kernels.wasm", "kernels-threads.wasm"];

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export async function startExplorer(o: ServeOptions = {}): Promise<Explorer> {
  const serverOptions = timeoutOptions(o); // refuses bad values before anything starts
  const host = o.host ?? "127.0.0.1";
  const maxBody = o.maxBodyBytes ?? 16 * 1024;
  const registry = new CheckpointRegistry(o.checkpoint, o.runsDir ?? "runs");
  const training = new TrainingManager(registry, o.dataDir);
  const mnist = new MnistFiles(o.dataDir);
  const root = compiledRoot();
  // The page's training runs in web/train-worker.js and the kernels' worker threads in
  // kernels/wasm/runtime/worker.js, both module Web Workers.
  const modules = moduleGraph(root, ["browser.js", "web/main.js", "web/train-worker.js", "kernels/wasm/runtime/worker.js"], "/lib/");
  const assets: AssetTable = new Map([...staticFiles(join(packageRoot(root), "web", "static"), "/static/"), ...modules.table]);
  // node: built-ins in the browser's graph get throwing stand-ins, mapped by an import map that
  // the page's HTML receives where it says <!-- importmap -->.
  const shims = new Map([...modules.builtins].map(([spec, b]) => [`/lib/node-shim/${spec.slice(5)}.js`, builtinShim(spec, b.names)]));
  const mapJson = JSON.stringify({ imports: Object.fromEntries([...modules.builtins.keys()].map((s) => [s, `/lib/node-shim/${s.slice(5)}.js`])) });
  const importMap = `<script type="importmap">${mapJson}</script>`;
  // The CSP allows this one inline script by its hash.
  const importMapHash = `'sha256-${createHash("sha256").update(mapJson).digest("base64")}'`;
  // The page compiles this itself (WebAssembly.compile) and falls back to "js" without it.
  for (const file of WASM_BUILDS) {
    const wasmFile = join(root, "kernels", "wasm", file);
    if (existsSync(wasmFile)) assets.set(`/lib/kernels/wasm/${file}`, wasmFile);
  }
  const index = assets.get("/static/index.html");
  if (index) assets.set("/", index);
  // The API reference, when `npm run docs` has written it; /docs/ says how to build it otherwise.
  const docs = staticFiles(join(packageRoot(root), "docs", "api"), "/docs/");
  for (const [path, file] of docs) assets.set(path, file);
  const docsIndex = docs.get("/docs/index.html");
  if (docsIndex) assets.set("/docs/", docsIndex);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestPath(req.url);
    checkHost(req, host);
    if (path.startsWith("/api/")) return api(req, res, path);
    const shim = shims.get(path);
    if (shim !== undefined) {
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": CONTENT_TYPES[".js"], "content-length": Buffer.byteLength(shim) });
      return void res.end(shim);
    }
    // The reference's pages link relatively: /docs must become /docs/.
    if (path === "/docs") return void res.writeHead(301, { ...SECURITY_HEADERS, location: "/docs/" }).end();
    const file = assets.get(path);
    if (!file && path === "/docs/") return sendHtml(res, 404, DOCS_NOT_BUILT);
    if (!file) throw new HttpError(404, `not found: ${path}`);
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `${req.method} ${path}: only GET is allowed`);
    let body = readFileSync(file);
    const headers = { ...SECURITY_HEADERS, "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" };
    if (extname(file) === ".html") {
      body = Buffer.from(body.toString("utf8").replace("<!-- importmap -->", importMap));
      // 'wasm-unsafe-eval' permits WebAssembly compilation only (no eval of JavaScript).
      headers["content-security-policy"] += `; script-src 'self' 'wasm-unsafe-eval' ${importMapHash}`;
    }
    res.writeHead(200, { ...headers, "content-length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
  };

  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const route = `${req.method} ${path}`;
    if (route === "GET /api/checkpoints") return sendJson(res, 200, registry.list());
    const m = /^GET \/api\/checkpoints\/([a-z0-9-]+)(\/metrics)?$/.exec(route);
    if (m) return m[2] ? sendMetrics(res, m[1]) : sendCheckpoint(res, m[1]);
    const idx = /^GET \/api\/mnist\/([a-z0-9-]+)$/.exec(route);
    if (idx) return sendBytes(res, mnist.bytes(idx[1], new URL(req.url ?? "/", "http://localhost").searchParams.get("limit")));
    if (route === "POST /api/train") return startTraining(req, res);
    if (route === "POST /api/train/stop") return sendJson(res, 200, { stopping: training.stop() });
    if (route === "GET /api/train") return sendJson(res, 200, training.status());
    if (route === "GET /api/train/events") return streamEvents(req, res);
    throw new HttpError(404, `not found: ${req.method} ${path}`);
  };

  const sendCheckpoint = (res: ServerResponse, id: string) => {
    const bytes = registry.bytes(id);
    if (!bytes) throw new HttpError(404, `no checkpoint with id "${id}"`);
    sendBytes(res, bytes);
  };

  const sendBytes = (res: ServerResponse, bytes: Uint8Array) => {
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "application/octet-stream", "content-length": bytes.length, "cache-control": "no-cache" });
    res.end(bytes);
  };

  const sendMetrics = (res: ServerResponse, id: string) => {
    const lines = registry.metrics(id);
    if (!lines) throw new HttpError(404, `no metrics log for checkpoint "${id}"`);
    sendJson(res, 200, lines);
  };

  const startTraining = async (req: IncomingMessage, res: ServerResponse) => {
    training.assertIdle(); // before reading the body: a refused request costs nothing
    const body = await readJsonBody(req, maxBody);
    const run = training.start(parseTrainRequest(body));
    sendJson(res, 202, { run, events: "/api/train/events" });
  };

  const streamEvents = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    const send = (e: TrainEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    const unsubscribe = training.subscribe(send);
    const ping = setInterval(() => res.write(": ping\n\n"), 15000);
    req.on("close", () => {
      clearInterval(ping);
      unsubscribe();
    });
  };

  const server = createServer(serverOptions, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : e instanceof Conflict ? 409 : e instanceof BadRequest ? 400 : 500;
      const message = (e as Error).message;
      if (status === 500) console.error(`serve: ${req.method} ${req.url}: ${(e as Error).stack}`);
      if (status === 413 || status === 415 || status === 409) drain(req);
      if (res.headersSent) res.destroy();
      else sendJson(res, status, { error: message });
    });
  });
  server.keepAliveTimeout = o.keepAliveTimeoutMs ?? SERVE_TIMEOUTS.keepAliveTimeoutMs;
  // Loopback unless --host says otherwise.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 8080, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}/`,
    server,
    registry,
    training,
    moduleProblems: modules.problems,
    builtinImports: [...modules.builtins].map(([spec, b]) => `${spec} (imported by ${b.importers.join(", ")})`),
    async close() {
      await training.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * node:http's header and request timeouts. NOTE: Node checks them on a timer
 * (connectionsCheckingInterval, 30 s by default), so a stalled client would be held up to 30 s
 * past its timeout; checking every quarter of the headers timeout (at most 1 s) keeps the cut
 * close to the configured time.
 */
function timeoutOptions(o: ServeOptions): ServerOptions {
  const headersTimeout = o.headersTimeoutMs ?? SERVE_TIMEOUTS.headersTimeoutMs;
  const requestTimeout = o.requestTimeoutMs ?? Math.max(SERVE_TIMEOUTS.requestTimeoutMs, headersTimeout);
  for (const [name, v] of Object.entries({ headersTimeoutMs: headersTimeout, requestTimeoutMs: requestTimeout, keepAliveTimeoutMs: o.keepAliveTimeoutMs ?? 1 })) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`startExplorer: ${name} must be a positive integer (milliseconds), got ${v}`);
  }
  if (headersTimeout > requestTimeout) {
    throw new RangeError(`startExplorer: headersTimeoutMs ${headersTimeout} exceeds requestTimeoutMs ${requestTimeout} (the headers are part of the request)`);
  }
  return { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))) };
}

/**
 * On a loopback-only server, refuses requests whose Host header is another name: a web page
 * elsewhere could otherwise rebind its own name to 127.0.0.1 and read this server (DNS rebinding).
 */
function checkHost(req: IncomingMessage, host: string): void {
  if (!LOOPBACK.has(host)) return;
  const name = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  if (!LOOPBACK.has(name)) throw new HttpError(403, `host ${JSON.stringify(req.headers.host ?? "")} refused: this server answers only to localhost`);
}

const DOCS_NOT_BUILT =
  "<!DOCTYPE html><title>torchlet: API reference not built</title><h1>The API reference is not built</h1>" +
  "<p>Run <code>npm run docs</code> in the torchlet folder (it writes <code>docs/api/</code>), then reload this page.</p>";

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": CONTENT_TYPES[".html"], "content-length": Buffer.byteLength(html), "cache-control": "no-cache" });
  res.end(html);
}
