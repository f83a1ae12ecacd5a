// Integrity plug-in: peer bytes pass only with the Worker's hash; rejected bytes are counted
// and reported; the engine is bound to hls.js through the hash-filtering view.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { installIntegrity } from "../../../../client/plugins/integrity";
import { fakeContext } from "./fake-context";

const TAG = "EXT-X-EDGESWARM-SHA256";

describe("installIntegrity", () => {
  it("accepts matching peer bytes and rejects others, counting and reporting each rejection", async () => {
    const f = fakeContext();
    installIntegrity(f.ctx);
    expect(f.bound.length).toBe(1);
    const good = new Uint8Array([1, 2, 3]);
    const hash = createHash("sha256").update(good).digest("hex");
    // The engine view learns hashes from the playlists the engine sees.
    const view = f.bound[0] as { on(e: string, fn: (e: string, d: unknown) => void): void };
    view.on("hlsLevelUpdated", () => {});
    f.hls.emit("hlsLevelUpdated", { details: { fragments: [{ url: "https://w/1.ts", tagList: [[TAG, hash]] }] } });
    const validate = f.ctx.hooks.validate!;
    expect(await validate("https://w/1.ts", undefined, good.slice().buffer)).toBe(true);
    expect(await validate("https://w/1.ts", undefined, new Uint8Array([9]).buffer)).toBe(false);
    expect(await validate("https://w/2.ts", undefined, new Uint8Array([9, 9]).buffer)).toBe(false);
    expect(f.ctx.counters.p2pRejectedBytes).toBe(3);
    expect(f.ctx.counters.errors).toMatchObject({ "p2p-hash-mismatch": 1, "p2p-hash-unknown": 1 });
    expect(f.events.filter(([k]) => k === "rejected").map(([, e]) => (e as { reason: string }).reason)).toEqual(["hash-mismatch", "hash-unknown"]);
  });
});
