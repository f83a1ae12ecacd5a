// Buckets of a channel region: grown as viewers join, sized by the shards' own reports,
// shrunk only after a long quiet spell.
import { describe, expect, it } from "vitest";
import { grow, newBook, report, route, totalViewers } from "../../../worker/tracker/buckets";
import { DIRECTORY_REPORT_STALE_MS, MAX_BUCKETS, SHARD_TARGET_VIEWERS, SHRINK_AFTER_MS } from "../../../worker/tracker/limits";

const T0 = 1_000_000;

describe("routing joins", () => {
  it("keeps a small audience in one bucket and grows as joins pass the target", () => {
    const book = newBook();
    for (let i = 0; i < SHARD_TARGET_VIEWERS; i++) expect(route(book, null, T0)).toBe(0);
    expect(book.buckets).toBe(1);
    expect(route(book, null, T0)).toBe(1);
    expect(book.buckets).toBe(2);
    expect(totalViewers(book)).toBe(SHARD_TARGET_VIEWERS + 1);
  });

  it("returns a reconnecting viewer to the bucket it asks for while that one has room", () => {
    const book = newBook(5);
    for (let i = 0; i < 50; i++) route(book, null, T0);
    expect(route(book, 3, T0)).toBe(3);
    book.viewers[3] = SHARD_TARGET_VIEWERS;
    expect(route(book, 3, T0)).not.toBe(3);
    expect(route(book, 7, T0)).toBeLessThan(5); // a bucket that does not exist is ignored
  });

  it("fills a flash crowd into buckets of at most the target each", () => {
    const book = newBook();
    for (let i = 0; i < 20 * SHARD_TARGET_VIEWERS; i++) route(book, null, T0);
    expect(book.buckets).toBe(20);
    expect(Math.max(...book.viewers)).toBe(SHARD_TARGET_VIEWERS);
    expect(Math.min(...book.viewers)).toBe(SHARD_TARGET_VIEWERS);
  });
});

describe("sizes and shrinking", () => {
  it("a shard's report replaces the estimate for its bucket", () => {
    const book = newBook(2);
    for (let i = 0; i < 100; i++) route(book, null, T0);
    report(book, 0, 7, T0);
    report(book, 1, 3, T0);
    expect(book.viewers.slice(0, 2)).toEqual([7, 3]);
    report(book, -1, 5, T0);
    report(book, MAX_BUCKETS, 5, T0);
    expect(totalViewers(book)).toBe(10);
  });

  it("drops a bucket only after the region stayed small for SHRINK_AFTER_MS, counting silent shards as empty", () => {
    const book = newBook(3);
    report(book, 0, 100, T0);
    report(book, 1, 100, T0);
    report(book, 2, 100, T0);
    expect(book.buckets).toBe(3);
    report(book, 0, 100, T0 + SHRINK_AFTER_MS - 1);
    expect(book.buckets).toBe(3);
    report(book, 0, 100, T0 + SHRINK_AFTER_MS);
    expect(book.buckets).toBe(2);
    // Buckets 1 and 2 last reported at T0: stale by now, so counted as empty.
    report(book, 0, 100, T0 + SHRINK_AFTER_MS + DIRECTORY_REPORT_STALE_MS + 1);
    expect(totalViewers(book)).toBe(100);
  });

  it("grows by one when a shard says it is full", () => {
    const book = newBook(2);
    grow(book, T0);
    expect(book.buckets).toBe(3);
    const capped = newBook(MAX_BUCKETS);
    grow(capped, T0);
    expect(capped.buckets).toBe(MAX_BUCKETS);
  });
});
