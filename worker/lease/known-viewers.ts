// Which viewers a lease object may grant claims to (issue 14 item 5): the client addresses
// (access/address.ts addressKey) the tracker shards of its region saw announce, each trusted
// until WITNESS_TTL_MS after its last sighting (tracker/witness.ts pushes them). Pure: time is
// passed in; SegmentLeases keeps a copy in its storage so an eviction forgets nobody.
import { WITNESS_TTL_MS } from "../tracker/limits";
import { MAX_KNOWN_VIEWERS } from "./limits";

export class KnownViewers {
  // Insertion-ordered by last sighting (a sighting re-inserts), so the first entry expires first.
  private readonly expiry = new Map<string, number>();

  constructor(private readonly max = MAX_KNOWN_VIEWERS) {}

  get size(): number {
    return this.expiry.size;
  }

  /** Records sightings at `now`; returns the entries forgotten to stay within the bound. */
  see(keys: Iterable<string>, now: number): string[] {
    const dropped: string[] = [];
    for (const k of keys) {
      this.expiry.delete(k);
      this.expiry.set(k, now + WITNESS_TTL_MS);
    }
    this.prune(now, dropped);
    // Over the bound the longest-unseen go first: a live viewer is re-sighted every few minutes.
    for (const k of this.expiry.keys()) {
      if (this.expiry.size <= this.max) break;
      this.expiry.delete(k);
      dropped.push(k);
    }
    return dropped;
  }

  /** Restores an entry read back from storage (its expiry as stored). */
  restore(key: string, until: number): void {
    this.expiry.set(key, until);
  }

  /** Until when `key` is trusted (undefined: not known). */
  expiryOf(key: string): number | undefined {
    return this.expiry.get(key);
  }

  knows(key: string, now: number): boolean {
    const u = this.expiry.get(key);
    return u !== undefined && now < u;
  }

  private prune(now: number, dropped: string[]): void {
    for (const [k, u] of this.expiry) {
      if (u > now) break;
      this.expiry.delete(k);
      dropped.push(k);
    }
  }
}
