// Buckets of a channel region: sized for its viewers and its join rate from the shards' own
// reports, grown at once, shrunk only after a long quiet spell; joins spread at random.
import { describe, expect, it } from "vitest";
import { bucketsForAudience, grow, neededBuckets, newBook, pickBucket, report, setFloor, totalViewers } from "../../../worker/tracker/buckets";
import {
  DIRECTORY_REPORT_MS,
  DIRECTORY_REPORT_STALE_MS,
  EXPECTED_ARRIVAL_S,
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

describe("an expected audience", () => {
  it("opens the buckets its flash crowd's first join rate and its size need, and none without one", () => {
    // 100,000 viewers arriving at 100,000 / EXPECTED_ARRIVAL_S joins/s at first: one bucket per MAX_JOINS_PER_SHARD_S of that.
    expect(bucketsForAudience(100_000)).toBe(Math.ceil(100_000 / EXPECTED_ARRIVAL_S / MAX_JOINS_PER_SHARD_S));
    // A slow-arriving size: the viewers decide.
    expect(bucketsForAudience(SHARD_TARGET_VIEWERS * 3)).toBe(Math.max(3, Math.ceil((SHARD_TARGET_VIEWERS * 3) / EXPECTED_ARRIVAL_S / MAX_JOINS_PER_SHARD_S)));
    expect(bucketsForAudience(0)).toBe(1);
    expect(bucketsForAudience(Number.NaN)).toBe(1);
    expect(bucketsForAudience(1e9)).toBe(MAX_BUCKETS);
  });

  it("keeps the region at its floor before any report, and never shrinks below it however quiet", () => {
    const book = newBook(1, 40);
    expect(book.buckets).toBe(40);
    for (let t = 0; t <= 3 * SHRINK_AFTER_MS; t += DIRECTORY_REPORT_MS) report(book, 0, 3, 0, DIRECTORY_REPORT_MS, T0 + t);
    expect(book.buckets).toBe(40);
    // Above the floor it still grows for its join rate.
    report(book, 1, 10, 100 * MAX_JOINS_PER_SHARD_S, 1000, T0 + 3 * SHRINK_AFTER_MS);
    expect(book.buckets).toBe(100);
  });

  it("grows to a floor set later at once, and shrinks back towards a lowered floor only after SHRINK_AFTER_MS", () => {
    const book = newBook();
    setFloor(book, 10, T0);
    expect(book.buckets).toBe(10);
    setFloor(book, 1, T0);
    expect(book.buckets).toBe(10);
    report(book, 0, 3, 0, DIRECTORY_REPORT_MS, T0 + 1);
    report(book, 0, 3, 0, DIRECTORY_REPORT_MS, T0 + 1 + SHRINK_AFTER_MS);
    expect(book.buckets).toBe(9);
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
