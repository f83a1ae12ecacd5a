// POST /api/uplink inside workerd, through the Worker's own fetch handler: the probe's bytes
// are read and dropped (204, no body), anything else is refused with a clear { error }: a GET,
// a body over UPLINK_PROBE_MAX_BYTES whether declared or streamed, a page of a foreign origin
// under ALLOWED_ORIGINS, and a request without a viewer token under VIEWER_TOKEN_SECRET.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import type { Env } from "../../worker/env";
import { UPLINK_PROBE_MAX_BYTES, UPLINK_PROBE_PATH } from "../../shared/uplink-probe";
import { mintViewerToken } from "../../shared/viewer-token";

const bindings: Env = env;
const BASE = "https://edgeswarm.test";

function call(e: Env, path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(`${BASE}${path}`, init), e, createExecutionContext());
}

async function expectRefused(r: Response, status: number, re: RegExp): Promise<void> {
  expect(r.status).toBe(status);
  expect(((await r.json()) as { error: string }).error).toMatch(re);
}

/** A body of `n` bytes sent in 16 KiB chunks with no Content-Length. */
function streamed(n: number): ReadableStream<Uint8Array> {
  let left = n;
  return new ReadableStream({
    pull(c) {
      if (left <= 0) return c.close();
      const k = Math.min(left, 16 * 1024);
      left -= k;
      c.enqueue(new Uint8Array(k));
    },
  });
}

describe("the uplink probe (POST /api/uplink)", () => {
  it("reads and drops a probe's bytes, answering 204 with nothing to cache", async () => {
    for (const n of [0, 32 * 1024, 128 * 1024, UPLINK_PROBE_MAX_BYTES]) {
      const r = await call(bindings, UPLINK_PROBE_PATH, { method: "POST", body: new Uint8Array(n) });
      expect(r.status, `${n} bytes`).toBe(204);
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(await r.text()).toBe("");
    }
  });

  it("refuses a GET (405), and a body over the cap declared (413) or streamed without a length (413)", async () => {
    const get = await call(bindings, UPLINK_PROBE_PATH);
    expect(get.headers.get("allow")).toBe("POST");
    await expectRefused(get, 405, /use POST/);
    await expectRefused(
      await call(bindings, UPLINK_PROBE_PATH, { method: "POST", body: new Uint8Array(UPLINK_PROBE_MAX_BYTES + 1) }),
      413,
      /probe larger than/,
    );
    const chunked = await call(bindings, UPLINK_PROBE_PATH, {
      method: "POST",
      body: streamed(UPLINK_PROBE_MAX_BYTES + 16 * 1024),
      duplex: "half",
    } as RequestInit);
    await expectRefused(chunked, 413, /probe larger than/);
  });

  it("is gated like a report: a foreign page under ALLOWED_ORIGINS gets 403, an allowed one 204", async () => {
    const gated: Env = { ...bindings, ALLOWED_ORIGINS: "https://site.example" };
    const from = (origin: string) => call(gated, UPLINK_PROBE_PATH, { method: "POST", headers: { origin }, body: new Uint8Array(1024) });
    await expectRefused(await from("https://evil.example"), 403, /may not use this Worker's uplink probe/);
    expect((await from("https://site.example")).status).toBe(204);
  });

  it("needs a viewer token (any stream's) when VIEWER_TOKEN_SECRET is set: 401 without one, 204 with one", async () => {
    const secret = "workerd-probe-secret";
    const gated: Env = { ...bindings, VIEWER_TOKEN_SECRET: secret };
    const post = (path: string) => call(gated, path, { method: "POST", body: new Uint8Array(1024) });
    await expectRefused(await post(UPLINK_PROBE_PATH), 401, /token/);
    const token = await mintViewerToken(secret, { stream: "loop", exp: Math.floor(Date.now() / 1000) + 3600 });
    expect((await post(`${UPLINK_PROBE_PATH}?token=${encodeURIComponent(token)}`)).status).toBe(204);
  });
});
