// Pairing hls.js's media playlists with the ids the P2P core uses (client/stream-ids.ts):
// certain pairs only, so seeded bytes never land under another rendition's stream.
import { describe, expect, it } from "vitest";
import { STREAM_ID_PAIRING_WINDOW } from "../../../client/limits";
import { streamIdBook } from "../../../client/stream-ids";

describe("streamIdBook", () => {
  it("pairs a playlist with the ids of the core request for the fragment hls.js just loaded from it", () => {
    const b = streamIdBook();
    expect(b.idsOf("hi.m3u8")).toBeUndefined();
    b.onFragmentLoad("hi.m3u8", 7);
    b.onCoreRequest("sw", "core-hi", 7);
    expect(b.idsOf("hi.m3u8")).toEqual({ swarmId: "sw", streamId: "core-hi" });
  });

  it("pairs nothing for a core request hls.js did not load, or a number two playlists loaded", () => {
    const b = streamIdBook();
    b.onCoreRequest("sw", "core-hi", 3);
    b.onFragmentLoad("hi.m3u8", 8);
    b.onFragmentLoad("lo.m3u8", 8); // a level switch re-loads the same number
    b.onCoreRequest("sw", "core-lo", 8);
    expect(b.idsOf("hi.m3u8")).toBeUndefined();
    expect(b.idsOf("lo.m3u8")).toBeUndefined();
    b.onFragmentLoad("lo.m3u8", 9);
    b.onCoreRequest("sw", "core-lo", 9);
    expect(b.idsOf("lo.m3u8")?.streamId).toBe("core-lo");
  });

  it("keeps one playlist per core stream, and forgets loads older than its window", () => {
    const b = streamIdBook();
    b.onFragmentLoad("a.m3u8", 1);
    b.onCoreRequest("sw", "s", 1);
    b.onFragmentLoad("b.m3u8", 2); // the same core stream under a new URL (a redirect)
    b.onCoreRequest("sw", "s", 2);
    expect(b.idsOf("a.m3u8")).toBeUndefined();
    expect(b.idsOf("b.m3u8")?.streamId).toBe("s");
    for (let i = 10; i < 10 + STREAM_ID_PAIRING_WINDOW; i++) b.onFragmentLoad("c.m3u8", i);
    b.onCoreRequest("sw", "t", 2);
    expect(b.idsOf("b.m3u8")?.streamId).toBe("s");
  });
});
