// Buckets of a channel region: sized for its viewers and its join rate from the shards' own
// reports, grown at once, shrunk only after a long quiet spell; joins spread at random.
import { describe, expect, it } from "vitest";
import { grow, neededBuckets, newBook, pickBucket, report, totalViewers } from "../../../worker/tracker/buckets";
import {
  DIRECTORY_REPORT_MS,
  DIRECTORY_REPORT_STALE_MS,
  MAX_BUCKETS,
  MAX_JOINS_PER_SHARD_S,
  SHARD_TARGET_VIEWERS,
  SHRINK_AFTER_MS,
} from "../../../worker/tracker/limits";

const T0 = 1_000_000;

describe("sizing a region", () => {
  it("keeps a small audience in one bucket", () => {
    const book = newBook();
    report(book, 0, 40, 40, DIRECTORY_REPORT_MS, T0);
    expect(book.buckets).toBe(1);
  });

  it("grows for its viewers: one bucket per SHARD_TARGET_VIEWERS", () => {
    const book = newBook();
    report(book, 0, SHARD_TARGET_VIEWERS + 1, 0, DIRECTORY_REPORT_MS, T0);
    expect(book.buckets).toBe(2);
  });

  it("grows for a flash crowd's join rate before any shard is full", () => {
    const book = newBook();
    // 100 joins in 0.1 s: 1,000 joins/s into one shard, 20 times what one shard is sized for.
    report(book, 0, 100, 100, 100, T0);
    expect(book.buckets).toBe(Math.ceil(1000 / MAX_JOINS_PER_SHARD_S));
    expect(neededBuckets(book)).toBe(book.buckets);
  });

  it("refuses reports from buckets that cannot exist, and grows by one when a shard is full", () => {
    const book = newBook(2);
    report(book, -1, 10_000, 0, DIRECTORY_REPORT_MS, T0);
    report(book, MAX_BUCKETS, 10_000, 0, DIRECTORY_REPORT_MS, T0);
    expect(totalViewers(book)).toBe(0);
    grow(book, T0);
    expect(book.buckets).toBe(3);
    const capped = newBook(MAX_BUCKETS);
    grow(capped, T0);
    expect(capped.buckets).toBe(MAX_BUCKETS);
  });

  it("drops a bucket only after the region stayed small for SHRINK_AFTER_MS, counting silent shards as empty", () => {
    const book = newBook(3);
    for (const b of [0, 1, 2]) report(book, b, 100, 0, DIRECTORY_REPORT_MS, T0);
    expect(book.buckets).toBe(3);
    report(book, 0, 100, 0, DIRECTORY_REPORT_MS, T0 + SHRINK_AFTER_MS - 1);
    expect(book.buckets).toBe(3);
    report(book, 0, 100, 0, DIRECTORY_REPORT_MS, T0 + SHRINK_AFTER_MS);
    expect(book.buckets).toBe(2);
    // Buckets 1 and 2 last reported at T0: stale by now, so counted as empty.
    report(book, 0, 100, 0, DIRECTORY_REPORT_MS, T0 + SHRINK_AFTER_MS + DIRECTORY_REPORT_STALE_MS + 1);
    expect(totalViewers(book)).toBe(100);
  });
});

describe("picking a bucket", () => {
  it("returns a viewer to the bucket it names when the region has it, else picks uniformly", () => {
    expect(pickBucket(5, 3, () => 0.99)).toBe(3);
    expect(pickBucket(5, 7, () => 0.99)).toBe(4);
    expect(pickBucket(1, null, () => 0.999999)).toBe(0);
    const counts = new Array(4).fill(0);
    let x = 0;
    for (let i = 0; i < 4000; i++) counts[pickBucket(4, null, () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});
