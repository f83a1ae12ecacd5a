// Pure first-come leases: "who in this swarm fetches segment X over HTTP first?".
// Time is passed in; no I/O, no Durable Object. Used by SegmentLeases.
import { LEASE_TTL_MS, MAX_LEASES } from "./limits";

export type ClaimResult = { granted: true } | { granted: false; heldForMs: number };

export class LeaseBook {
  // Insertion-ordered: the first entry is always the oldest, so pruning is O(expired).
  private readonly leases = new Map<string, number>();

  constructor(
    private readonly ttlMs = LEASE_TTL_MS,
    private readonly maxLeases = MAX_LEASES,
  ) {}

  get size(): number {
    return this.leases.size;
  }

  /** Grants the first claim on `key`; refuses every other until the lease expires. */
  claim(key: string, now: number): ClaimResult {
    this.prune(now);
    const grantedAt = this.leases.get(key);
    if (grantedAt !== undefined) return { granted: false, heldForMs: now - grantedAt };
    if (this.leases.size >= this.maxLeases) {
      const oldest = this.leases.keys().next().value;
      if (oldest !== undefined) this.leases.delete(oldest);
    }
    this.leases.set(key, now);
    return { granted: true };
  }

  private prune(now: number): void {
    for (const [key, at] of this.leases) {
      if (now - at < this.ttlMs) break;
      this.leases.delete(key);
    }
  }
}
