// The viewer-token gate inside workerd, through the Worker's own fetch handler with a copy of
// the pool's env that sets VIEWER_TOKEN_SECRET: playlists, segments, claims, the tracker
// upgrade and reports need a valid token for their stream; bad ones get 401/403 { error };
// the operator's routes are not gated; a refused report records nothing; unset keeps streams public.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../worker/index";
import type { Env } from "../../../worker/env";
import { CLAIM_HEADER, CLAIM_PARAM } from "../../../shared/claim";
import { REPORT_VERSION } from "../../../shared/stats-report";
import { TOKEN_LEEWAY_S, mintViewerToken } from "../../../shared/viewer-token";

const bindings: Env = env;
const SECRET = "workerd-viewer-secret";
const gated: Env = { ...bindings, VIEWER_TOKEN_SECRET: SECRET };
const BASE = "https://edgeswarm.test";
const hour = () => Math.floor(Date.now() / 1000) + 3600;
let seq = 0;

function call(e: Env, path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(`${BASE}${path}`, init), e, createExecutionContext());
}
const withToken = (path: string, token: string) => `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;

async function expectRefused(r: Response, status: number, re: RegExp): Promise<void> {
  expect(r.status).toBe(status);
  expect(((await r.json()) as { error: string }).error).toMatch(re);
}

async function firstSegment(token: string): Promise<string> {
  const r = await call(gated, withToken("/live/loop/360p/index.m3u8", token));
  expect(r.status).toBe(200);
  const name = (await r.text()).split("\n").find((l) => l && !l.startsWith("#"))!;
  return `/live/loop/360p/${name}`;
}

function report(e: Env, stream: string, token: string | null): Promise<Response> {
  const path = token ? withToken("/api/report", token) : "/api/report";
  return call(e, path, {
    method: "POST",
    headers: { "content-type": "text/plain", "cf-connecting-ip": "198.51.100.88" },
    body: JSON.stringify({ v: REPORT_VERSION, stream, viewer: `token-viewer-${seq++}`, http: 10, p2p: 0, up: 0, peers: 0 }),
  });
}

describe("viewer tokens (VIEWER_TOKEN_SECRET set)", () => {
  it("playlists and segments need a token for their stream", async () => {
    const good = await mintViewerToken(SECRET, { stream: "loop", exp: hour() });
    await expectRefused(await call(gated, "/live/loop/360p/index.m3u8"), 401, /viewer token required/);
    await expectRefused(
      await call(gated, withToken("/live/loop/360p/index.m3u8", await mintViewerToken(SECRET, { stream: "other", exp: hour() }))),
      403,
      /another stream/,
    );
    await expectRefused(
      await call(gated, withToken("/live/loop/360p/index.m3u8", await mintViewerToken("not-the-secret", { stream: "loop", exp: hour() }))),
      401,
      /signature/,
    );
    const seg = await firstSegment(good);
    await expectRefused(await call(gated, seg), 401, /required/);
    const ok = await call(gated, withToken(seg, good));
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBeGreaterThan(0);
    // A token for every stream ("*") opens this one too.
    const all = await call(gated, withToken("/live/loop/master.m3u8", await mintViewerToken(SECRET, { stream: "*", exp: hour() })));
    expect(all.status).toBe(200);
    await all.arrayBuffer();
  });

  it("an expired token is refused (401), by the request's clock", async () => {
    const t = await mintViewerToken(SECRET, { stream: "loop", exp: hour() });
    const later = String(Date.now() + (3600 + TOKEN_LEEWAY_S + 5) * 1000);
    await expectRefused(await call(gated, withToken("/live/loop/360p/index.m3u8", t), { headers: { "x-edgeswarm-test-now": later } }), 401, /expired/);
  });

  it("a claim needs the token like any segment request, and is granted with it", async () => {
    const good = await mintViewerToken(SECRET, { stream: "loop", exp: hour() });
    const seg = await firstSegment(good);
    const claim = `${seg}?${CLAIM_PARAM}=loop-token-${seq++}`;
    const refused = await call(gated, claim);
    expect(refused.status).toBe(401);
    expect(refused.headers.get(CLAIM_HEADER)).toBeNull();
    await refused.arrayBuffer();
    const granted = await call(gated, withToken(claim, good));
    expect(granted.status).toBe(200);
    expect(granted.headers.get(CLAIM_HEADER)).toBe("granted");
    await granted.arrayBuffer();
  });

  it("the tracker upgrade needs a token for its channel", async () => {
    const up = async (path: string) => {
      const r = await call(gated, path, { headers: { upgrade: "websocket" } });
      if (r.webSocket) {
        r.webSocket.accept();
        r.webSocket.close(1000, "done");
      }
      return r;
    };
    await expectRefused(await up("/announce/loop"), 401, /required/);
    await expectRefused(await up(withToken("/announce/loop", await mintViewerToken(SECRET, { stream: "other", exp: hour() }))), 403, /another stream/);
    expect((await up(withToken("/announce/loop", await mintViewerToken(SECRET, { stream: "loop", exp: hour() })))).status).toBe(101);
  });

  it("a report counts only with a token for the stream it names; refused ones record nothing", async () => {
    const stream = `token-stats-${Date.now().toString(36)}`;
    await expectRefused(await report(gated, stream, null), 401, /required/);
    await expectRefused(await report(gated, stream, await mintViewerToken(SECRET, { stream: "other", exp: hour() })), 403, /another stream/);
    const before = (await (await call(bindings, `/api/stats?stream=${stream}`)).json()) as { streams: unknown[] };
    expect(before.streams).toEqual([]);
    const ok = await report(gated, stream, await mintViewerToken(SECRET, { stream, exp: hour() }));
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    const after = (await (await call(bindings, `/api/stats?stream=${stream}`)).json()) as { streams: { viewers: number }[] };
    expect(after.streams[0]?.viewers).toBe(1);
  });

  it("does not gate the operator's read-outs (they have their own ADMIN_TOKEN)", async () => {
    for (const path of ["/api/stats", "/api/tracker/stats"]) {
      const r = await call(gated, path);
      expect(r.status, path).toBe(200);
      await r.arrayBuffer();
    }
  });

  it("keeps streams public when VIEWER_TOKEN_SECRET is unset", async () => {
    const r = await call({ ...bindings, VIEWER_TOKEN_SECRET: undefined }, "/live/loop/360p/index.m3u8");
    expect(r.status).toBe(200);
    await r.arrayBuffer();
  });
});
