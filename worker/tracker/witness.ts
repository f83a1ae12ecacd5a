// The tracker as witness (issue 14 items 3 and 5): which peer_ids and client addresses this
// shard has seen announce, batched for the objects that must only trust known viewers: the
// channel's StatsHub (a new stats row needs a peer_id the tracker saw on that stream) and the
// region's SegmentLeases (a claim needs an address with a tracker socket). Pure bookkeeping:
// what to push and when; the TrackerShard does the RPCs. Nothing here is authoritative: a
// wake forgets what was pushed, and the next announce of each peer simply pushes it again.
import { WITNESS_FLUSH_MS, WITNESS_REFRESH_MS } from "./limits";

export interface Witness {
  /** When each peer_id / address was last handed out for a push (only those within WITNESS_REFRESH_MS are kept). */
  peersPushed: Map<string, number>;
  addrsPushed: Map<string, number>;
  /** Seen and not pushed yet. */
  peers: Set<string>;
  addrs: Set<string>;
  /** When the pending batch is due; null when nothing is pending. */
  dueAt: number | null;
}

export interface WitnessBatch {
  peers: string[];
  addrs: string[];
}

export function createWitness(): Witness {
  return { peersPushed: new Map(), addrsPushed: new Map(), peers: new Set(), addrs: new Set(), dueAt: null };
}

function stale(pushed: Map<string, number>, key: string, now: number): boolean {
  const at = pushed.get(key);
  // A clock step backwards counts as stale too: one extra push is harmless.
  return at === undefined || now - at >= WITNESS_REFRESH_MS || now < at;
}

/**
 * Notes a peer that announced in a swarm of this shard, from `address` (access/address.ts
 * addressKey; null when the socket's address is unknown to the shard). Returns when the
 * batch is due if this sighting is news (never pushed, or last pushed WITNESS_REFRESH_MS
 * ago), else null: a steady viewer's announces cost nothing.
 */
export function noteSeen(w: Witness, peerId: string, address: string | null, now: number): number | null {
  let news = false;
  if (!w.peers.has(peerId) && stale(w.peersPushed, peerId, now)) {
    w.peers.add(peerId);
    news = true;
  }
  if (address !== null && !w.addrs.has(address) && stale(w.addrsPushed, address, now)) {
    w.addrs.add(address);
    news = true;
  }
  if (!news) return null;
  w.dueAt ??= now + WITNESS_FLUSH_MS;
  return w.dueAt;
}

/**
 * The batch to push now (null when nothing is pending, or it is not due yet and not `anyway`:
 * an alarm that runs early for another reason pushes what is pending rather than wake again);
 * marks it pushed.
 */
export function takeBatch(w: Witness, now: number, anyway = false): WitnessBatch | null {
  if (w.dueAt === null || (!anyway && now < w.dueAt)) return null;
  const batch: WitnessBatch = { peers: [...w.peers], addrs: [...w.addrs] };
  // Delete first, so a re-pushed key moves to the end and the Maps stay in push order.
  for (const [seen, pushed] of [
    [w.peers, w.peersPushed],
    [w.addrs, w.addrsPushed],
  ] as const) {
    for (const k of seen) {
      pushed.delete(k);
      pushed.set(k, now);
    }
  }
  w.peers.clear();
  w.addrs.clear();
  w.dueAt = null;
  // Marks older than the refresh period no longer suppress anything: dropping them keeps
  // memory to what the shard saw lately (Maps iterate oldest first, so this stops early).
  for (const m of [w.peersPushed, w.addrsPushed]) {
    for (const [k, at] of m) {
      if (now - at < WITNESS_REFRESH_MS) break;
      m.delete(k);
    }
  }
  return batch;
}

/** A push that failed: forget its marks, so the next announce of each pushes it again. */
export function unmark(w: Witness, batch: WitnessBatch): void {
  for (const p of batch.peers) w.peersPushed.delete(p);
  for (const a of batch.addrs) w.addrsPushed.delete(a);
}
