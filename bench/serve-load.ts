// Load on the explorer's server (`torchlet serve`) over loopback: `requests` requests from
// `concurrency` keep-alive clients, with malformed requests (each on a connection of its own), a
// byte-at-a-time client and a stalled client mixed in. Every well-formed answer is compared with
// the answer the idle server gave to the same request before the load (status and body bytes).
// test/server/load.test.ts runs it small against an in-process server; as a benchmark it starts
// `torchlet serve` in a process of its own and reports requests/s, latency percentiles and the
// server's RSS:
//   npm run build:test && node build/bench/serve-load.js [--requests 2000] [--concurrency 50]

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as torch from "../src/index.js";

export interface LoadOptions {
  port: number;
  requests: number;
  concurrency: number;
  /** Every n-th request is a malformed one on a raw connection (default 10). */
  malformedEvery?: number;
  /** Pause between the byte-at-a-time client's bytes (default 5 ms). */
  byteDelayMs?: number;
}

export interface LoadResult {
  /** Well-formed requests sent during the load (the slow client's included). */
  wellFormed: number;
  /** Those whose answer equalled the idle server's, byte for byte. */
  correct: number;
  /** What went wrong, one line per failed well-formed request. */
  wrong: string[];
  malformed: { sent: number; answered4xx: number; statuses: Record<string, number> };
  /** The byte-at-a-time client's status and how long its request took. */
  slowClient: { status: number; ms: number };
  /** The stalled client (half a request, then silence): what it got and when it was disconnected. */
  stalledClient: { reply: string; closedAfterMs: number };
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** The well-formed requests, in turn. The checkpoint id comes from the server's own listing. */
function wellFormedPaths(checkpointId: string): string[] {
  return ["/", "/api/checkpoints", `/api/checkpoints/${checkpointId}`, "/lib/browser.js", "/static/style.css", "/no/such/page", "/api/train"];
}

/** Malformed or hostile requests, raw bytes; each must get a 4xx status line. */
const MALFORMED = [
  "GARBAGE\r\n\r\n",
  "GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
  "GET /%2e%2e/secret HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
  "POST /api/train HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{not json",
  "POST /api/train HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n{",
  "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
  "GET / HTTP/1.1\r\nHo st: 127.0.0.1\r\n\r\n",
  "GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
];

interface Answer { status: number; sha: string }

function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      const hash = createHash("sha256");
      res.on("data", (c: Buffer) => hash.update(c));
      res.on("end", () => resolve({ status: res.statusCode!, sha: hash.digest("hex") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends raw bytes (all at once, or one at a time every `delayMs`), returns everything the server wrote until it closed. */
function raw(port: number, bytes: string, delayMs = 0, endAfterMs = 10_000): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let reply = "";
    const socket = connect(port, "127.0.0.1");
    const giveUp = setTimeout(() => socket.destroy(), endAfterMs);
    socket.on("data", (c: Buffer) => (reply += c.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(giveUp);
      resolve({ reply, ms: performance.now() - t0 });
    });
    socket.on("connect", async () => {
      if (delayMs === 0) return void socket.write(bytes);
      for (const ch of bytes) {
        if (socket.destroyed) return;
        socket.write(ch);
        await new Promise((r) => setTimeout(r, delayMs));
      }
    });
  });
}

const statusOf = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

/** Runs the load against a server on 127.0.0.1:port; stops by itself when every request is answered. */
export async function serveLoad(o: LoadOptions): Promise<LoadResult> {
  const every = o.malformedEvery ?? 10;
  const setup = new Agent({ keepAlive: false });
  const list = await new Promise<string>((resolve, reject) => {
    request({ host: "127.0.0.1", port: o.port, path: "/api/checkpoints", agent: setup }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString("utf8")));
      res.on("end", () => resolve(text));
    }).on("error", reject).end();
  });
  const id = (JSON.parse(list) as { id: string }[])[0]?.id ?? "none";
  const paths = wellFormedPaths(id);
  // The idle server's answers are the reference.
  const expected = new Map<string, Answer>();
  for (const p of paths) expected.set(p, await get(o.port, p, setup));

  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const wrong: string[] = [];
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0, wellFormed = 0, correct = 0, malformedSent = 0, answered4xx = 0;
  const t0 = performance.now();
  const slowPath = "/api/checkpoints";
  const slow = raw(o.port, `GET ${slowPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, o.byteDelayMs ?? 5);
  const stalled = raw(o.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Stalled:`, 0, 60_000);
  const client = async () => {
    for (let i = next++; i < o.requests; i = next++) {
      if (i % every === every - 1) {
        const { reply } = await raw(o.port, MALFORMED[malformedSent++ % MALFORMED.length]);
        const status = statusOf(reply);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 400 && status < 500) answered4xx++;
        continue;
      }
      const path = paths[i % paths.length];
      wellFormed++;
      const start = performance.now();
      try {
        const got = await get(o.port, path, agent);
        latencies.push(performance.now() - start);
        const want = expected.get(path)!;
        if (got.status === want.status && got.sha === want.sha) correct++;
        else wrong.push(`request ${i} GET ${path}: status ${got.status} (idle server: ${want.status}), body ${got.sha === want.sha ? "equal" : "different"}`);
      } catch (e) {
        wrong.push(`request ${i} GET ${path}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, client));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const slowDone = await slow;
  wellFormed++;
  const slowStatus = statusOf(slowDone.reply);
  const slowBody = slowDone.reply.slice(slowDone.reply.indexOf("\r\n\r\n") + 4);
  if (slowStatus === expected.get(slowPath)!.status && createHash("sha256").update(slowBody, "latin1").digest("hex") === expected.get(slowPath)!.sha) correct++;
  else wrong.push(`the byte-at-a-time client: status ${slowStatus} after ${slowDone.ms.toFixed(0)} ms`);
  const stalledDone = await stalled;
  latencies.sort((a, b) => a - b);
  return {
    wellFormed, correct, wrong,
    malformed: { sent: malformedSent, answered4xx, statuses },
    slowClient: { status: slowStatus, ms: slowDone.ms },
    stalledClient: { reply: stalledDone.reply.split("\r\n")[0], closedAfterMs: stalledDone.ms },
    seconds,
    requestsPerSecond: o.requests / seconds,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN },
  };
}

/** The server process's resident memory in MB (Linux), or NaN. */
function rssMB(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: "string", default: "2000" }, concurrency: { type: "string", default: "50" } } });
  const dir = mkdtempSync(join(tmpdir(), "torchlet-serve-load-"));
  torch.manualSeed(0);
  torch.save(torch.models.lenet5(), join(dir, "lenet5.safetensors"));
  const cli = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  const server = spawn(process.execPath, [cli, "serve", "--port", "0", "--runs", dir], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (c: Buffer) => {
        out += c.toString("utf8");
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) resolve(Number(m[1]));
      });
      server.on("exit", (code) => reject(new Error(`torchlet serve exited ${code}`)));
    });
    const before = rssMB(server.pid!);
    const r = await serveLoad({ port, requests: Number(values.requests), concurrency: Number(values.concurrency) });
    const after = rssMB(server.pid!);
    console.log(`torchlet serve under load: ${values.requests} requests from ${values.concurrency} clients in ${r.seconds.toFixed(2)} s`);
    console.log(`  ${r.requestsPerSecond.toFixed(0)} requests/s; latency p50 ${r.latencyMs.p50.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms, max ${r.latencyMs.max.toFixed(1)} ms`);
    console.log(`  well-formed: ${r.correct}/${r.wellFormed} answered as the idle server answers; malformed: ${r.malformed.answered4xx}/${r.malformed.sent} got a 4xx (${JSON.stringify(r.malformed.statuses)})`);
    console.log(`  byte-at-a-time client: ${r.slowClient.status} after ${r.slowClient.ms.toFixed(0)} ms; stalled client: "${r.stalledClient.reply}", disconnected after ${r.stalledClient.closedAfterMs.toFixed(0)} ms`);
    console.log(`  server RSS ${before.toFixed(1)} -> ${after.toFixed(1)} MB`);
    for (const w of r.wrong.slice(0, 10)) console.log(`  WRONG: ${w}`);
    process.exitCode = r.wrong.length === 0 ? 0 : 1;
  } finally {
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
