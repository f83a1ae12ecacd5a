// How many swarm shards (buckets) a channel's region spans, and which one a joining viewer
// lands in. Pure: the ChannelDirectory object (directory.ts) holds one BucketBook per region;
// the Worker (connect.ts) caches its bucket count for DIRECTORY_CACHE_MS and picks a bucket
// itself, so the directory is not asked once per join.
//
// The region needs enough buckets for two things: its viewers (SHARD_TARGET_VIEWERS each)
// and its join rate (MAX_JOINS_PER_SHARD_S each), since a join costs its shard an announce,
// relayed offers and their answers. Shards report their socket count and their joins every
// DIRECTORY_REPORT_MS, and early after JOIN_REPORT_BATCH joins, so a flash crowd opens new
// buckets within a fraction of a second. A joining viewer goes to a uniformly random bucket
// (even fill, no coordination), or back to the one it names (its es_role frames told it).
// A shard past its own join rate (admission.ts joinGate) refuses like a full one; its
// refusal carries its demand, and grow() sizes the region for it at once.
// An operator's expected audience (TRACKER_EXPECTED_VIEWERS) sets a floor: the buckets its
// flash crowd will need, open before the first join, never shrunk below.
import {
  DIRECTORY_REPORT_STALE_MS,
  EXPECTED_ARRIVAL_S,
  MAX_BUCKETS,
  MAX_JOINS_PER_SHARD_S,
  SHARD_TARGET_VIEWERS,
  SHRINK_AFTER_MS,
  SHRINK_FILL,
} from "./limits";
import { bucketsFor } from "./routing";

export interface BucketBook {
  buckets: number;
  /** Per bucket: sockets its shard last reported. */
  viewers: number[];
  /** Per bucket: joins per second over its shard's last report period. */
  joinRate: number[];
  reportedAt: number[];
  /** Since when the region has been small enough to lose a bucket, or null. */
  smallSince: number | null;
  /** Fewest buckets the region keeps (bucketsForAudience of its expected audience). */
  floor: number;
}

const clampBuckets = (b: number) => Math.max(1, Math.min(MAX_BUCKETS, Math.floor(b)));

export function newBook(buckets = 1, floor = 1): BucketBook {
  const f = clampBuckets(floor);
  return { buckets: Math.max(f, clampBuckets(buckets)), viewers: [], joinRate: [], reportedAt: [], smallSince: null, floor: f };
}

/**
 * Buckets an expected audience of `viewers` needs from the start: for its size
 * (SHARD_TARGET_VIEWERS each) and for its flash crowd's first join rate, viewers /
 * EXPECTED_ARRIVAL_S per second (MAX_JOINS_PER_SHARD_S each). 1 for no expectation.
 */
export function bucketsForAudience(viewers: number): number {
  if (!(Number.isFinite(viewers) && viewers > 0)) return 1;
  return clampBuckets(Math.max(bucketsFor(viewers), Math.ceil(viewers / EXPECTED_ARRIVAL_S / MAX_JOINS_PER_SHARD_S)));
}

/** Sets the region's floor (the Worker passes its expected audience on every call); grows to it at once. */
export function setFloor(book: BucketBook, floor: number, now: number): void {
  const f = clampBuckets(floor);
  if (f === book.floor) return;
  book.floor = f;
  settle(book, now);
}

export function totalViewers(book: BucketBook): number {
  return book.viewers.reduce((a, b) => a + b, 0);
}

export function totalJoinRate(book: BucketBook): number {
  return book.joinRate.reduce((a, b) => a + b, 0);
}

/** Buckets the region needs now: for its viewers and for its join rate. */
export function neededBuckets(book: BucketBook): number {
  return Math.min(MAX_BUCKETS, Math.max(bucketsFor(totalViewers(book)), Math.ceil(totalJoinRate(book) / MAX_JOINS_PER_SHARD_S)));
}

/** The bucket for a joining viewer: the one it asks for if the region has it, else a random one. */
export function pickBucket(buckets: number, asked: number | null, rng: () => number): number {
  if (asked !== null && asked >= 0 && asked < buckets) return asked;
  return Math.min(buckets - 1, Math.floor(rng() * buckets));
}

/**
 * The bucket the Worker retries a refused join on: a random one of `buckets` other than the
 * one that refused (that shard is full or past its join rate for now), or 0 when there is
 * no other.
 */
export function retryBucket(buckets: number, refused: number, rng: () => number): number {
  if (buckets <= 1) return 0;
  const b = Math.min(buckets - 2, Math.floor(rng() * (buckets - 1)));
  return b >= refused ? b + 1 : b;
}

function extendTo(book: BucketBook, bucket: number): void {
  while (book.viewers.length <= bucket) {
    book.viewers.push(0);
    book.joinRate.push(0);
    book.reportedAt.push(-Infinity);
  }
}

/** A shard's report: its sockets, and `joins` upgrades asked for (refused ones included: the region must absorb them) over the last `periodMs`. */
export function report(book: BucketBook, bucket: number, sockets: number, joins: number, periodMs: number, now: number): void {
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= MAX_BUCKETS) return;
  extendTo(book, bucket);
  book.viewers[bucket] = Math.max(0, sockets);
  book.joinRate[bucket] = periodMs > 0 ? Math.max(0, joins) / (periodMs / 1000) : 0;
  book.reportedAt[bucket] = now;
  settle(book, now);
}

/**
 * A shard refused a join (full, or past MAX_JOINS_PER_S_PER_SHARD): one more bucket at once.
 * When the refusal states the bucket and the upgrades per second it is asked for, that demand
 * counts as the bucket's join rate until its next report, so the region grows at once to what
 * the demand needs: a crowd's first refusal opens the region's buckets. Every refusal still
 * adds one: the directory sizes shards for MAX_JOINS_PER_SHARD_S, the very rate they admit,
 * and the buckets refusals add are the headroom that keeps a shard's random seconds under
 * it. Sizing by demand alone (no bucket for a refusal routed by an isolate's older count)
 * was tried in the simulator: at 10,000 viewers, seeds 1-3, 13-15 shards, offload
 * 0.951-0.954 and up to 516 requests/s on one shard, against 21-24 shards, 0.954-0.956 and
 * at most 393/s with one bucket per refusal. Extra buckets shrink after SHRINK_AFTER_MS.
 */
export function grow(book: BucketBook, now: number, bucket: number | null = null, demandPerS = 0): void {
  if (bucket !== null && Number.isInteger(bucket) && bucket >= 0 && bucket < MAX_BUCKETS && Number.isFinite(demandPerS) && demandPerS > 0) {
    extendTo(book, bucket);
    book.joinRate[bucket] = Math.max(book.joinRate[bucket]!, demandPerS);
    book.reportedAt[bucket] = Math.max(book.reportedAt[bucket]!, now);
  }
  book.buckets = Math.min(MAX_BUCKETS, book.buckets + 1);
  book.smallSince = null;
  settle(book, now);
}

/**
 * Grows at once to what the region needs; shrinks by one bucket only once the region has
 * needed fewer than SHRINK_FILL of the remaining buckets for SHRINK_AFTER_MS. Buckets whose
 * shard stopped reporting count as empty. Viewers in a dropped bucket stay until they
 * reconnect.
 */
function settle(book: BucketBook, now: number): void {
  for (let b = 0; b < book.viewers.length; b++) {
    if (now - book.reportedAt[b]! > DIRECTORY_REPORT_STALE_MS) {
      book.viewers[b] = 0;
      book.joinRate[b] = 0;
    }
  }
  const need = Math.max(book.floor, neededBuckets(book));
  if (need > book.buckets) {
    book.buckets = need;
    book.smallSince = null;
    return;
  }
  const small =
    book.buckets > Math.max(1, book.floor) &&
    totalViewers(book) < (book.buckets - 1) * SHARD_TARGET_VIEWERS * SHRINK_FILL &&
    totalJoinRate(book) < (book.buckets - 1) * MAX_JOINS_PER_SHARD_S * SHRINK_FILL;
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
