// How many swarm shards (buckets) a channel's region spans, and which one a joining viewer
// lands in. Pure: the ChannelDirectory object (directory.ts) holds one BucketBook per region
// and calls these. A joining viewer goes to the least-filled bucket, so a flash crowd fills
// new buckets as they open instead of piling onto the first ones; a viewer that reconnects
// names the bucket it was in (its es_role frames told it) and returns there if it has room.
import { DIRECTORY_REPORT_STALE_MS, MAX_BUCKETS, SHARD_TARGET_VIEWERS, SHRINK_AFTER_MS, SHRINK_FILL } from "./limits";
import { bucketsFor } from "./routing";

export interface BucketBook {
  buckets: number;
  /** Per bucket: viewers it reported, plus joins routed to it since that report. */
  viewers: number[];
  reportedAt: number[];
  /** Since when the region has been small enough to lose a bucket, or null. */
  smallSince: number | null;
}

export function newBook(buckets = 1): BucketBook {
  const b = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(buckets)));
  return { buckets: b, viewers: new Array<number>(b).fill(0), reportedAt: new Array<number>(b).fill(-Infinity), smallSince: null };
}

export function totalViewers(book: BucketBook): number {
  return book.viewers.reduce((a, b) => a + b, 0);
}

function resize(book: BucketBook, buckets: number): void {
  while (book.viewers.length < buckets) {
    book.viewers.push(0);
    book.reportedAt.push(-Infinity);
  }
  book.buckets = buckets;
}

/**
 * Routes one joining viewer: grows the bucket count first when the region (counting this
 * join) would exceed SHARD_TARGET_VIEWERS per bucket, then returns the bucket it asked for
 * when that one is open and below the target, else the least-filled one (lowest on ties).
 */
export function route(book: BucketBook, asked: number | null, now: number): number {
  const want = bucketsFor(totalViewers(book) + 1);
  if (want > book.buckets) {
    resize(book, want);
    book.smallSince = null;
  }
  let bucket = 0;
  for (let b = 1; b < book.buckets; b++) if (book.viewers[b]! < book.viewers[bucket]!) bucket = b;
  if (asked !== null && asked < book.buckets && book.viewers[asked]! < SHARD_TARGET_VIEWERS) bucket = asked;
  book.viewers[bucket]! += 1;
  settle(book, now);
  return bucket;
}

/** A shard's own count (its open sockets), which replaces the estimate for that bucket. */
export function report(book: BucketBook, bucket: number, viewers: number, now: number): void {
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= MAX_BUCKETS) return;
  if (bucket >= book.viewers.length) resize(book, Math.max(book.buckets, bucket + 1));
  book.viewers[bucket] = Math.max(0, viewers);
  book.reportedAt[bucket] = now;
  settle(book, now);
}

/** A shard refused a join because it is full: make room for one more bucket at once. */
export function grow(book: BucketBook, now: number): void {
  resize(book, Math.min(MAX_BUCKETS, book.buckets + 1));
  book.smallSince = null;
  settle(book, now);
}

/**
 * Shrinks by one bucket once the region has held fewer than SHRINK_FILL of the remaining
 * buckets' capacity for SHRINK_AFTER_MS; buckets that stopped reporting count as empty.
 * Viewers in a dropped bucket stay where they are until they reconnect.
 */
function settle(book: BucketBook, now: number): void {
  for (let b = 0; b < book.viewers.length; b++) {
    if (now - book.reportedAt[b]! > DIRECTORY_REPORT_STALE_MS && book.reportedAt[b] !== -Infinity) book.viewers[b] = 0;
  }
  const small = book.buckets > 1 && totalViewers(book) < (book.buckets - 1) * SHARD_TARGET_VIEWERS * SHRINK_FILL;
  if (!small) {
    book.smallSince = null;
    return;
  }
  if (book.smallSince === null) book.smallSince = now;
  else if (now - book.smallSince >= SHRINK_AFTER_MS) {
    book.buckets -= 1;
    book.smallSince = null;
  }
}
