// Pure first-come leases: "who in this swarm fetches segment X over HTTP first?".
// Time is passed in; no I/O, no Durable Object. Used by SegmentLeases.
// Each lease remembers its holder (a viewer key, viewer.ts), so one viewer can hold at
// most MAX_LEASES_PER_VIEWER at once. `check` answers without recording: the Worker asks
// it before touching the origin, and only `claim`s once the origin has served the
// segment, so a key that names nothing never enters the book.
import { LEASE_TTL_MS, MAX_LEASES, MAX_LEASES_PER_VIEWER } from "./limits";

export type ClaimResult =
  | { granted: true }
  /** Someone in the swarm holds the segment. */
  | { granted: false; heldForMs: number }
  /** The segment is free, but this viewer already holds its share of leases. */
  | { granted: false; viewerFull: true }
  /** No tracker shard of this region has seen the viewer (known-viewers.ts), and it has no token. */
  | { granted: false; unknown: true };

interface Lease {
  at: number;
  holder: string;
}

export class LeaseBook {
  // Insertion-ordered: the first entry is always the oldest, so pruning is O(expired).
  private readonly leases = new Map<string, Lease>();
  /** Leases held per viewer key; a key with none is deleted, so this never outgrows `leases`. */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly ttlMs = LEASE_TTL_MS,
    private readonly maxLeases = MAX_LEASES,
    private readonly maxPerViewer = MAX_LEASES_PER_VIEWER,
  ) {}

  get size(): number {
    return this.leases.size;
  }

  /** Leases `viewer` holds now (expired ones are not counted once pruned). */
  heldBy(viewer: string): number {
    return this.held.get(viewer) ?? 0;
  }

  /** What `claim` would answer now, without recording anything. */
  check(key: string, now: number, viewer: string): ClaimResult {
    this.prune(now);
    const lease = this.leases.get(key);
    if (lease !== undefined) return { granted: false, heldForMs: now - lease.at };
    if (this.heldBy(viewer) >= this.maxPerViewer) return { granted: false, viewerFull: true };
    return { granted: true };
  }

  /** Grants the first claim on `key` to `viewer`; refuses every other until the lease expires. */
  claim(key: string, now: number, viewer: string): ClaimResult {
    const answer = this.check(key, now, viewer);
    if (!answer.granted) return answer;
    if (this.leases.size >= this.maxLeases) {
      const oldest = this.leases.keys().next().value;
      if (oldest !== undefined) this.drop(oldest);
    }
    this.leases.set(key, { at: now, holder: viewer });
    this.held.set(viewer, this.heldBy(viewer) + 1);
    return { granted: true };
  }

  private drop(key: string): void {
    const lease = this.leases.get(key);
    if (!lease) return;
    this.leases.delete(key);
    const n = this.heldBy(lease.holder) - 1;
    if (n > 0) this.held.set(lease.holder, n);
    else this.held.delete(lease.holder);
  }

  private prune(now: number): void {
    for (const [key, lease] of this.leases) {
      if (now - lease.at < this.ttlMs) break;
      this.drop(key);
    }
  }
}
