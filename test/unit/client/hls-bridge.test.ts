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
