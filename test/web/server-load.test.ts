// The explorer's server under load and against slow clients: a bounded loopback load (400
// requests, 30 keep-alive clients, malformed requests, a byte-at-a-time client and a stalled one)
// in which every well-formed request gets the idle server's answer byte for byte and the server
// stays up; and the header / request timeouts cutting off clients that stall.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { serveLoad } from "../../bench/serve-load.js";
import { SERVE_TIMEOUTS, startExplorer } from "../../src/server/server.js";
import { serveTinyCheckpoint, type Fixture } from "./fixtures.js";

const portOf = (fx: Fixture) => (fx.explorer.server.address() as AddressInfo).port;

function getStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    }).on("error", reject).end();
  });
}

/** Writes `chunks` (one every `gapMs`), then waits; resolves with the reply and when the server closed the connection. */
function stall(port: number, chunks: string[], gapMs = 0): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let reply = "";
    const socket = connect(port, "127.0.0.1");
    const guard = setTimeout(() => (socket.destroy(), reject(new Error("the server held the stalled client for 10 s"))), 10_000);
    socket.on("data", (c: Buffer) => (reply += c.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => (clearTimeout(guard), resolve({ reply, ms: performance.now() - t0 })));
    socket.on("connect", async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

test("400 requests from 30 clients with malformed, byte-at-a-time and stalled clients: every well-formed one answered right, the server stays up", { timeout: 60_000 }, async () => {
  const fx = await serveTinyCheckpoint({ headersTimeoutMs: 3000, requestTimeoutMs: 6000, keepAliveTimeoutMs: 2000 });
  try {
    const port = portOf(fx);
    const r = await serveLoad({ port, requests: 400, concurrency: 30, byteDelayMs: 2 });
    assert.deepEqual(r.wrong, []);
    assert.equal(r.correct, r.wellFormed);
    assert.equal(r.wellFormed, 400 - 40 + 1, "360 from the clients and the byte-at-a-time one");
    assert.equal(r.malformed.sent, 40);
    assert.equal(r.malformed.answered4xx, 40, `every malformed request gets a 4xx: ${JSON.stringify(r.malformed.statuses)}`);
    assert.equal(r.slowClient.status, 200);
    assert.match(r.stalledClient.reply, /^HTTP\/1\.1 408 /);
    assert.ok(r.stalledClient.closedAfterMs >= 2900 && r.stalledClient.closedAfterMs < 6000, `stalled client disconnected after ${r.stalledClient.closedAfterMs.toFixed(0)} ms`);
    assert.ok(r.seconds < 30, `the load took ${r.seconds.toFixed(1)} s`);
    // Still up, and it is the same server.
    assert.equal(fx.explorer.server.listening, true);
    assert.equal(await getStatus(port, "/"), 200);
    assert.equal(await getStatus(port, "/api/checkpoints"), 200);
  } finally {
    await fx.close();
  }
});

test("a client that stalls in its headers, in its body, or sends a byte at a time too slowly is cut off after the configured timeout", { timeout: 30_000 }, async () => {
  const fx = await serveTinyCheckpoint({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
  try {
    const port = portOf(fx);
    const [headers, body, trickle, silent] = await Promise.all([
      stall(port, ["GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"]),
      stall(port, ["POST /api/train HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":"]),
      stall(port, [..."GET /api/checkpoints HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"], 50),
      stall(port, []),
    ]);
    // Node checks the timeouts every 75 ms here (a quarter of the headers timeout); the rest is slack for a loaded machine.
    for (const [name, got, timeout] of [["headers", headers, 300], ["body", body, 600], ["byte-at-a-time", trickle, 300], ["silent", silent, 300]] as const) {
      assert.match(got.reply, /^HTTP\/1\.1 408 Request Timeout/, `${name}: ${JSON.stringify(got.reply.slice(0, 40))}`);
      assert.ok(got.ms >= timeout - 20 && got.ms < timeout + 1500, `${name}: disconnected after ${got.ms.toFixed(0)} ms (timeout ${timeout} ms)`);
    }
    assert.equal(await getStatus(port, "/"), 200, "the server answers others as before");
  } finally {
    await fx.close();
  }
});

test("the timeouts default to 10 s for headers, 30 s for a request, 5 s idle keep-alive; bad values are refused", async () => {
  const fx = await serveTinyCheckpoint();
  try {
    const { server } = fx.explorer;
    assert.deepEqual([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout], [10_000, 30_000, 5_000]);
    assert.deepEqual(SERVE_TIMEOUTS, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
  } finally {
    await fx.close();
  }
  await assert.rejects(startExplorer({ port: 0, headersTimeoutMs: 5000, requestTimeoutMs: 1000 }), /startExplorer: headersTimeoutMs 5000 exceeds requestTimeoutMs 1000/);
  await assert.rejects(startExplorer({ port: 0, headersTimeoutMs: 0 }), /startExplorer: headersTimeoutMs must be a positive integer \(milliseconds\), got 0/);
  await assert.rejects(startExplorer({ port: 0, keepAliveTimeoutMs: 1.5 }), /keepAliveTimeoutMs must be a positive integer/);
});
