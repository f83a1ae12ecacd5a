// The admin gate inside workerd, through the Worker's own fetch handler with a copy of the
// pool's env: with ADMIN_TOKEN set, the operator's read-outs need it (401 without, 403 with a
// wrong one) and answer with it; viewer routes stay open; unset keeps everything open.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../worker/index";
import type { Env } from "../../../worker/env";
import { REPORT_VERSION } from "../../../shared/stats-report";
import { shardName as statsShard, shardOf } from "../../../worker/stats/aggregate";
import { STATS_SHARDS } from "../../../worker/stats/limits";

const bindings: Env = env;
const ADMIN = "s3cret-Admin_token.42";
const gated: Env = { ...bindings, ADMIN_TOKEN: ADMIN };
const BASE = "http://edgeswarm.test";

function call(e: Env, path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(`${BASE}${path}`, init), e, createExecutionContext());
}

describe("admin token", () => {
  for (const path of ["/api/stats", "/api/tracker/stats"]) {
    it(`${path}: 401 with a challenge without the token, 403 with a wrong one, 200 with it`, async () => {
      const none = await call(gated, path);
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toContain("Bearer");
      expect(await none.json()).toEqual({ error: "admin token required" });
      for (const wrong of [`Bearer ${ADMIN.slice(0, -1)}`, `Bearer ${ADMIN}x`, `Basic ${btoa(`admin:${ADMIN}`)}`, `Bearer`]) {
        const r = await call(gated, path, { headers: { authorization: wrong } });
        expect(r.status, wrong).toBe(wrong.startsWith("Bearer ") ? 403 : 401);
        expect(Object.keys((await r.json()) as object)).toEqual(["error"]);
      }
      // The token in the query string is not a credential (it would land in request logs).
      const q = await call(gated, `${path}?token=${encodeURIComponent(ADMIN)}`);
      expect(q.status).toBe(401);
      await q.arrayBuffer();
      const ok = await call(gated, path, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(ok.status).toBe(200);
      await ok.json();
    });
  }

  it("does not gate what viewers need: reports, playlists and the pages", async () => {
    // The tracker has seen this viewer (what a TrackerShard tells the stats hub); the test is about the admin gate.
    const peer = "v-admin-open-1".padEnd(20, "_");
    await bindings.STATS.get(bindings.STATS.idFromName(statsShard(shardOf("admin-open", STATS_SHARDS)))).witness("admin-open", [peer], Date.now());
    const report = await call(gated, "/api/report", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ v: REPORT_VERSION, stream: "admin-open", viewer: "v-admin-open-1", peer, http: 1, p2p: 0, up: 0, peers: 0 }),
    });
    expect(report.status).toBe(200);
    await report.arrayBuffer();
    const playlist = await call(gated, "/live/loop/360p/index.m3u8");
    expect(playlist.status).toBe(200);
    await playlist.arrayBuffer();
  });

  it("leaves the read-outs open when ADMIN_TOKEN is unset or empty", async () => {
    for (const e of [
      { ...bindings, ADMIN_TOKEN: undefined },
      { ...bindings, ADMIN_TOKEN: "" },
    ]) {
      const r = await call(e, "/api/stats");
      expect(r.status).toBe(200);
      await r.json();
    }
  });
});
