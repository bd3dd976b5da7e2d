// Small HTTP helpers for the explorer: JSON replies and errors, size-limited JSON bodies, and
// the request-path check that refuses traversal before any routing happens.

import type { IncomingMessage, ServerResponse } from "node:http";

/** An error with the status code the client gets; its message goes out as {"error": message}. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Only this origin's scripts and styles; canvases export data: URLs for the screenshots' sake.
  "content-security-policy": "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  // Cross-origin isolation: the page gets SharedArrayBuffer, so the kernels run on worker threads.
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

/**
 * The request's path, percent-decoded, or HttpError 400 for traversal ("..", "%2e%2e", a
 * backslash, a NUL byte) or bad encoding. The raw and the decoded form are both checked, so
 * an encoded "../" cannot slip past a check of the other one.
 */
export function requestPath(rawUrl: string | undefined): string {
  const raw = (rawUrl ?? "/").split("?")[0].split("#")[0];
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `bad request path: invalid percent-encoding in ${JSON.stringify(raw)}`);
  }
  for (const p of [raw, path]) {
    if (!p.startsWith("/") || p.includes("\\") || p.includes("\0") || p.split("/").some((seg) => seg === ".." || seg === ".")) {
      throw new HttpError(400, `bad request path ${JSON.stringify(raw)}: path traversal is refused`);
    }
  }
  return path;
}

/** Reads a JSON body of at most `limit` bytes; 413 when larger, 415 when not JSON, 400 when unparsable. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim();
  if (type !== "application/json") throw new HttpError(415, `expected a JSON body (content-type: application/json), got ${JSON.stringify(type || "none")}`);
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) throw new HttpError(413, `request body of ${declared} bytes exceeds the ${limit}-byte limit`);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Keep reading (and dropping) what follows so the client gets the reply, up to a point.
      if (size > DRAIN_LIMIT) req.socket.destroy();
      if (failed) return;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body exceeds the ${limit}-byte limit`));
      } else chunks.push(chunk);
    });
    req.on("error", (e) => reject(new HttpError(400, `reading the request body failed: ${e.message}`)));
    req.on("end", () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text.trim() === "" ? {} : (JSON.parse(text) as unknown));
      } catch (e) {
        reject(new HttpError(400, `request body is not valid JSON: ${(e as Error).message}`));
      }
    });
  });
}

/**
 * How much of a refused body is read and dropped so that the client, still sending, gets to
 * read the error reply instead of a connection reset; beyond it the connection is cut.
 */
export const DRAIN_LIMIT = 8 * 1024 * 1024;

/** After an early error reply: discards the rest of the body, up to DRAIN_LIMIT. */
export function drain(req: IncomingMessage): void {
  let seen = 0;
  req.on("data", (c: Buffer) => {
    seen += c.length;
    if (seen > DRAIN_LIMIT) req.socket.destroy();
  });
  req.resume();
}
