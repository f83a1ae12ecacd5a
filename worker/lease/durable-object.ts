// SegmentLeases: one object per tracker region (the name the region's TrackerShards share
// before their bucket suffix), holding the swarm's segment leases in memory and the viewers
// it may grant them to. Thin: it calls LeaseBook and KnownViewers, and stores the latter.
//
// Why leases live in memory only: a lease is a hint that saves egress, never an authority
// anyone waits on. If the object is evicted, the worst case is one extra HTTP fetch of a
// segment; persisting each claim would cost a storage write per segment per swarm.
// Known viewers are stored (one write per tracker batch, at most one per second per shard):
// forgetting them would deny every claim of the region for minutes, until re-sighted.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { LeaseBook, type ClaimResult } from "./lease-book";
import { KnownViewers } from "./known-viewers";

const UNKNOWN: ClaimResult = { granted: false, unknown: true };

export class SegmentLeases extends DurableObject<Env> {
  private readonly book = new LeaseBook();
  private readonly known = new KnownViewers();
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS known (addr TEXT PRIMARY KEY, until INTEGER NOT NULL)");
    const now = Date.now();
    this.sql.exec("DELETE FROM known WHERE until <= ?", now);
    for (const r of this.sql.exec("SELECT addr, until FROM known ORDER BY until").toArray()) this.known.restore(String(r.addr), Number(r.until));
  }

  /**
   * RPC from the region's TrackerShards: these addresses have a tracker socket that announced.
   * The tracker's clock is not used: trust runs on this object's own.
   */
  witness(addrs: string[]): void {
    const now = Date.now();
    const dropped = this.known.see(addrs, now);
    this.ctx.storage.transactionSync(() => {
      for (const a of addrs) {
        const until = this.known.expiryOf(a);
        if (until !== undefined) this.sql.exec("INSERT OR REPLACE INTO known (addr, until) VALUES (?, ?)", a, until);
      }
      for (const a of dropped) this.sql.exec("DELETE FROM known WHERE addr = ?", a);
    });
  }

  /**
   * RPC: would a claim of segment `key` by `viewer` be granted now? Records nothing.
   * `tokened`: the request carried a valid viewer token, which vouches for it without the tracker.
   */
  check(key: string, viewer: string, tokened = false): ClaimResult {
    const now = Date.now();
    if (!tokened && !this.known.knows(viewer, now)) return UNKNOWN;
    return this.book.check(key, now, viewer);
  }

  /** RPC: claim segment `key` for `viewer` (call only once the origin has served it). */
  claim(key: string, viewer: string, tokened = false): ClaimResult {
    const now = Date.now();
    if (!tokened && !this.known.knows(viewer, now)) return UNKNOWN;
    return this.book.claim(key, now, viewer);
  }
}
