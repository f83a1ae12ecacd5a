// The engine's view of playlists: only segments with a published hash reach the P2P core.
import { describe, expect, it } from "vitest";
import { filterPlaylistHandler } from "../../../client/hls-bridge";
import { HASH_TAG } from "../../../shared/hash-tag";
import { HashBook } from "../../../client/integrity";

const H = "a".repeat(64);
class Details {
  live = true;
  constructor(public fragments: Array<{ url: string; tagList: string[][] }>) {}
  get edge() {
    return this.fragments.length; // a getter, like hls.js LevelDetails has
  }
}

describe("filterPlaylistHandler", () => {
  it("passes only fragments with a hash, keeping the rest of the details object", () => {
    const seen: unknown[] = [];
    const book = new HashBook();
    const h = filterPlaylistHandler((_e, d) => seen.push(d), book);
    const details = new Details([
      { url: "a", tagList: [[HASH_TAG, H]] },
      { url: "b", tagList: [] },
    ]);
    h("hlsLevelUpdated", { level: 1, details });
    const got = seen[0] as { level: number; details: Details };
    expect(got.level).toBe(1);
    expect(got.details.fragments.map((f) => f.url)).toEqual(["a"]);
    expect(got.details.live).toBe(true);
    expect(details.fragments).toHaveLength(2); // hls.js's own object is untouched
    expect(book.get("a")).toBe(H);
  });

  it("hands the original data through when every fragment has a hash", () => {
    const seen: unknown[] = [];
    const data = { details: new Details([{ url: "a", tagList: [[HASH_TAG, H]] }]) };
    filterPlaylistHandler((_e, d) => seen.push(d), new HashBook())("hlsLevelUpdated", data);
    expect(seen[0]).toBe(data);
  });

  it("does not call the engine at all when no fragment has a hash", () => {
    let calls = 0;
    filterPlaylistHandler(() => calls++, new HashBook())("hlsLevelUpdated", { details: new Details([{ url: "b", tagList: [] }]) });
    expect(calls).toBe(0);
  });
});

import { countingLoader } from "../../../client/hls-bridge";

/** A stand-in with hls.js's loader contract: load(context, config, callbacks), abort(), stats.loaded. */
class FakeLoader {
  stats = { loaded: 0 };
  callbacks: Record<string, (...a: unknown[]) => void> = {};
  constructor(_config: unknown) {}
  load(_context: unknown, _config: unknown, callbacks: Record<string, unknown>) {
    this.callbacks = callbacks as Record<string, (...a: unknown[]) => void>;
  }
  abort() {}
  destroy() {}
}

describe("countingLoader", () => {
  it("counts a fragment's bytes once when it completes", () => {
    const seen: number[] = [];
    const L = countingLoader(FakeLoader, (n) => seen.push(n));
    const l = new L({});
    l.load({ frag: {} }, {}, { onSuccess: () => {} });
    l.stats.loaded = 1234;
    l.callbacks.onSuccess!();
    l.abort();
    expect(seen).toEqual([1234]);
  });

  it("counts the bytes of a fragment aborted part-way (the origin sent them)", () => {
    const seen: number[] = [];
    const l = new (countingLoader(FakeLoader, (n) => seen.push(n)))({});
    l.load({ frag: {} }, {}, {});
    l.stats.loaded = 500;
    l.abort();
    expect(seen).toEqual([500]);
  });

  it("does not count playlists", () => {
    const seen: number[] = [];
    const l = new (countingLoader(FakeLoader, (n) => seen.push(n)))({});
    l.load({ type: "level" }, {}, { onSuccess: () => {} });
    l.stats.loaded = 999;
    l.callbacks.onSuccess!();
    l.abort();
    expect(seen).toEqual([]);
  });
});

import { tokenLoader } from "../../../client/hls-bridge";
import { withToken } from "../../../client/viewer-token";

describe("tokenLoader", () => {
  const authed = (u: string) => withToken(u, "t.o.k", "https://w.example");
  /** A loader that records the context it was asked to load. */
  class Recording extends FakeLoader {
    asked: { url: string } | undefined;
    override load(context: unknown, config: unknown, callbacks: Record<string, unknown>) {
      this.asked = context as { url: string };
      super.load(context, config, callbacks);
    }
  }

  it("requests a variant playlist (relative URI, no query of its own) with the token", () => {
    const l = new (tokenLoader(Recording, authed))({});
    l.load({ type: "level", url: "https://w.example/live/loop/hi/index.m3u8" }, {}, {});
    expect(l.asked?.url).toBe("https://w.example/live/loop/hi/index.m3u8?token=t.o.k");
  });

  it("hands hls.js back its own context and its own URL as the response URL (the engine's stream ids)", () => {
    const l = new (tokenLoader(Recording, authed))({});
    const context = { type: "manifest", url: "https://w.example/live/loop/master.m3u8" };
    const got: unknown[][] = [];
    l.load(context, {}, { onSuccess: (...a: unknown[]) => got.push(a), onError: (...a: unknown[]) => got.push(a) });
    l.callbacks.onSuccess!({ url: "https://w.example/live/loop/master.m3u8?token=t.o.k", data: "#EXTM3U" }, l.stats, l.asked, null);
    l.callbacks.onError!({ code: 401 }, l.asked, null, l.stats);
    expect(got[0]![0]).toEqual({ url: "https://w.example/live/loop/master.m3u8", data: "#EXTM3U" });
    expect(got[0]![2]).toBe(context);
    expect(got[1]![1]).toBe(context);
    expect(context.url).toBe("https://w.example/live/loop/master.m3u8"); // never holds the token
  });

  it("keeps a redirected response URL as it came", () => {
    const l = new (tokenLoader(Recording, authed))({});
    const got: unknown[] = [];
    l.load({ url: "https://w.example/a.m3u8" }, {}, { onSuccess: (r: unknown) => got.push(r) });
    l.callbacks.onSuccess!({ url: "https://w2.example/a.m3u8" }, l.stats, l.asked, null);
    expect(got).toEqual([{ url: "https://w2.example/a.m3u8" }]);
  });

  it("passes requests to other origins through untouched, same context and callbacks", () => {
    const l = new (tokenLoader(Recording, authed))({});
    const context = { frag: {}, url: "https://cdn.example/seg/1.ts" };
    const callbacks = { onSuccess: () => {} };
    l.load(context, {}, callbacks);
    expect(l.asked).toBe(context);
    expect(l.callbacks).toBe(callbacks);
  });

  it("composes with countingLoader: fragments hls.js fetches itself are counted and carry the token", () => {
    const seen: number[] = [];
    const l = new (countingLoader(tokenLoader(Recording, authed), (n) => seen.push(n)))({});
    l.load({ frag: {}, url: "https://w.example/live/loop/hi/3.ts" }, {}, { onSuccess: () => {} });
    expect(l.asked?.url).toBe("https://w.example/live/loop/hi/3.ts?token=t.o.k");
    l.stats.loaded = 321;
    l.callbacks.onSuccess!({ url: "https://w.example/live/loop/hi/3.ts?token=t.o.k" }, l.stats, l.asked, null);
    expect(seen).toEqual([321]);
  });
});
