// Behaviour that depends on configuration, checked by calling the origin with a copy of
// the pool's env: the loop's test clock only exists under EDGESWARM_TEST_HOOKS=1, and
// ingest is closed when INGEST_TOKEN is unset.
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleOriginRequest } from "../../../worker/origin/index";
import { LOOP_EPOCH_MS } from "../../../worker/origin/live-loop";
import { segmentBytes, testEnv, textOf } from "./helpers";

const FAR_FUTURE = "4000000000000"; // year 2096

describe("configuration guards", () => {
  it("ignores the loop's test clock header when EDGESWARM_TEST_HOOKS is not '1'", async () => {
    const req = () => new Request("https://origin.test/live/loop/360p/index.m3u8", { headers: { "x-edgeswarm-test-now": FAR_FUTURE } });
    const seqOf = async (env: typeof testEnv) =>
      Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(await textOf(await handleOriginRequest(req(), env, createExecutionContext())))![1]);
    const pinned = await seqOf(testEnv);
    const real = await seqOf({ ...testEnv, EDGESWARM_TEST_HOOKS: undefined });
    // 30 s loops of 15 segments: the sequence number is about (now − loop epoch) / 2 s.
    expect(Math.abs(pinned - (Number(FAR_FUTURE) - LOOP_EPOCH_MS) / 2000)).toBeLessThan(10);
    expect(Math.abs(real - (Date.now() - LOOP_EPOCH_MS) / 2000)).toBeLessThan(10);
  });

  it("refuses all ingest with 401 when INGEST_TOKEN is unset, even with a token", async () => {
    const env = { ...testEnv, INGEST_TOKEN: undefined };
    for (const [url, headers] of [
      ["https://origin.test/ingest/vod/no-secret/a.ts", { authorization: "Bearer test-ingest-token" }],
      ["https://origin.test/ingest/vod/no-secret/a.ts", { authorization: "Bearer " }],
      ["https://origin.test/ingest/token/undefined/vod/no-secret/a.ts", {}],
    ] as const) {
      const r = await handleOriginRequest(new Request(url, { method: "PUT", body: segmentBytes("x"), headers }), env, createExecutionContext());
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error: "ingest disabled: INGEST_TOKEN is not set" });
    }
    expect((await testEnv.MEDIA.list({ prefix: "vod/no-secret/" })).objects).toEqual([]);
  });
});
