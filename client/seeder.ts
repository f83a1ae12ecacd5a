// Edge-assisted seeding for live streams: who in the swarm fetches a new segment over HTTP.
//
// Stock p2p-media-loader leaves this to chance: every peer, on a random timer, fetches a
// random not-yet-shared segment with probability ~1/peers. Some segments get fetched by
// two peers, some by none until every playhead is close and all of them fetch it at once.
// Here each viewer, as soon as a new segment appears in its live playlist, asks the Worker
// for it with `?es_claim=<channel>`. The Worker serves the first such request in the swarm
// and answers every later one with a body-less 204 marked `x-edgeswarm-claim: denied`
// (worker/lease/). The winner checks the
// bytes against the playlist's SHA-256 and puts them in the core's store, which announces
// them to its peers at once; everyone else gets the segment over WebRTC. A refused viewer
// that still lacks the segment when it is about to need it (the seeder is not among its
// peers, left, or sent bytes that failed the hash check) fetches it over HTTP without a
// claim, which is never refused: the lease can cost bytes but never a stall.
//
// This module decides what to claim and stores what it wins. It knows nothing of hls.js.
import type { StreamType } from "p2p-media-loader-core";
import { sha256Hex } from "./integrity";
import type { SegmentStore } from "./segment-store";

/**
 * Seconds beyond the core's high-demand window a segment must start for us to claim it.
 * Inside that window the core fetches over HTTP anyway (unconditionally, so nobody stalls);
 * claiming there would only race it. The margin covers one playlist-refresh delay.
 */
export const SEED_MARGIN_S = 0.25;
/**
 * Seconds the swarm gets to deliver a segment someone else claimed: we claim only segments
 * starting at least minLead + SEED_WAIT_S ahead, and fetch a refused one ourselves once it
 * is closer than minLead. A 2 s segment crosses a loopback or LAN mesh in well under 1 s.
 */
export const SEED_WAIT_S = 1;
/** Claims in flight at once: one segment appears per target duration, two covers a catch-up. */
export const SEED_MAX_IN_FLIGHT = 2;
/** Segment URLs remembered as already claimed (won or lost), so each is asked for once. */
const MAX_TRIED = 512;

export interface SeedSegment {
  url: string;
  /** The core's id for the segment (media sequence number for live). */
  externalId: number;
  start: number;
  end: number;
  /** The Worker's SHA-256; segments without one are never seeded. */
  sha256: string | undefined;
}

export interface SeedPlaylist {
  swarmId: string;
  /** The core's stream id (`v2-<swarmId>-<type>-<index>`). */
  streamId: string;
  streamType: StreamType;
  live: boolean;
  segments: readonly SeedSegment[];
  /** Claim only segments starting at least this many seconds after the playhead. */
  minLead: number;
}

export interface SeederCounters {
  granted: number;
  denied: number;
  /** Refused segments that peers did not deliver in time, fetched without a claim. */
  fallback: number;
  failed: number;
  /** Bytes received over HTTP for granted claims (origin egress). */
  httpBytes: number;
}

/** Pure: which segments of a live playlist to claim now, newest last. */
export function pickClaims(
  segments: readonly SeedSegment[],
  playhead: number,
  minLead: number,
  isTried: (url: string) => boolean,
  isHeld: (externalId: number) => boolean,
  slots: number,
): SeedSegment[] {
  const out: SeedSegment[] = [];
  for (const s of segments) {
    if (out.length >= slots) break;
    if (!s.sha256 || s.start < playhead + minLead + SEED_WAIT_S) continue;
    if (isTried(s.url) || isHeld(s.externalId)) continue;
    out.push(s);
  }
  return out;
}

/** Appends the claim parameter, keeping any query the segment URL already has (tokens). */
export function claimUrl(url: string, channel: string): string {
  const u = new URL(url);
  u.searchParams.set("es_claim", channel);
  return u.toString();
}

export class EdgeSeeder {
  readonly counters: SeederCounters = { granted: 0, denied: 0, fallback: 0, failed: 0, httpBytes: 0 };
  private readonly tried = new Set<string>();
  /** Refused claims, kept until the segment arrives from peers or we fetch it ourselves. */
  private readonly refused = new Map<string, { p: SeedPlaylist; s: SeedSegment }>();
  private inFlight = 0;
  private destroyed = false;
  private readonly aborts = new Set<AbortController>();

  constructor(
    /** The core's current store (it makes a new one when P2P is switched off and on). */
    private readonly store: () => SegmentStore | undefined,
    private readonly channel: string,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
    /** Called with each chunk of HTTP bytes a granted claim brings (for the viewer's counters). */
    private readonly onHttpBytes: (n: number) => void = () => {},
  ) {}

  /** Feed every refresh of the live playlist being played, with the current playhead. */
  onPlaylist(p: SeedPlaylist, playhead: number): void {
    // VOD viewers are spread over the timeline; the core's own prefetch serves them.
    const store = this.store();
    if (this.destroyed || !p.live || !store) return;
    // The core registers a stream id when it first requests one of its segments; until then
    // we cannot be sure our id is the core's, and storing under a wrong id would be useless.
    if (!store.isKnownStream(p.streamId)) return;
    const picks = pickClaims(
      p.segments,
      playhead,
      p.minLead,
      (url) => this.tried.has(url),
      (id) => store.hasSegment(p.swarmId, p.streamId, id),
      SEED_MAX_IN_FLIGHT - this.inFlight,
    );
    for (const s of picks) void this.fetchInto(p, s, true);
    this.tick(playhead);
  }

  /** Call often (a few times a second): fetches refused segments peers have not delivered in time. */
  tick(playhead: number): void {
    const store = this.store();
    if (this.destroyed || !store) return;
    for (const [url, { p, s }] of this.refused) {
      if (store.hasSegment(p.swarmId, p.streamId, s.externalId) || s.end < playhead) {
        this.refused.delete(url);
      } else if (s.start < playhead + p.minLead) {
        this.refused.delete(url);
        this.counters.fallback++;
        void this.fetchInto(p, s, false);
      }
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.refused.clear();
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
  }

  private remember(url: string): void {
    this.tried.add(url);
    if (this.tried.size > MAX_TRIED) {
      const oldest = this.tried.values().next().value;
      if (oldest !== undefined) this.tried.delete(oldest);
    }
  }

  /** Fetches a segment (with a claim, or without one as the fallback) into the core's store. */
  private async fetchInto(p: SeedPlaylist, s: SeedSegment, claim: boolean): Promise<void> {
    this.remember(s.url);
    this.inFlight++;
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const res = await this.fetchFn(claim ? claimUrl(s.url, this.channel) : s.url, { signal: abort.signal });
      if (claim && res.headers.get("x-edgeswarm-claim") === "denied") {
        this.counters.denied++;
        this.refused.set(s.url, { p, s });
        await res.body?.cancel();
        return;
      }
      if (!res.ok || !res.body) {
        this.counters.failed++;
        await res.body?.cancel();
        return;
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        total += value.byteLength;
        this.counters.httpBytes += value.byteLength;
        this.onHttpBytes(value.byteLength);
      }
      const data = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        data.set(c, at);
        at += c.byteLength;
      }
      // A truncated or altered response must never be passed on to peers as this segment.
      if ((await sha256Hex(data)) !== s.sha256) {
        this.counters.failed++;
        return;
      }
      const store = this.store();
      if (this.destroyed || !store) return;
      if (claim) this.counters.granted++;
      await store.storeSegment(p.swarmId, p.streamId, s.externalId, data.buffer, s.start, s.end, p.streamType, true);
    } catch {
      if (!this.destroyed) this.counters.failed++;
    } finally {
      this.inFlight--;
      this.aborts.delete(abort);
    }
  }
}
