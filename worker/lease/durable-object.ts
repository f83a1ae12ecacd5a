// SegmentLeases: one object per tracker shard (the same name the TrackerShard uses),
// holding the swarm's segment leases in memory. Thin: it only calls LeaseBook.
//
// Why memory only: a lease is a hint that saves egress, never an authority anyone
// waits on. If the object is evicted, the worst case is one extra HTTP fetch of a
// segment; persisting each claim would cost a storage write per segment per swarm.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { LeaseBook, type ClaimResult } from "./lease-book";

export class SegmentLeases extends DurableObject<Env> {
  private readonly book = new LeaseBook();

  /** RPC: would a claim of segment `key` by `viewer` be granted now? Records nothing. */
  check(key: string, viewer: string): ClaimResult {
    return this.book.check(key, Date.now(), viewer);
  }

  /** RPC: claim segment `key` for `viewer` (call only once the origin has served it). */
  claim(key: string, viewer: string): ClaimResult {
    return this.book.claim(key, Date.now(), viewer);
  }
}
