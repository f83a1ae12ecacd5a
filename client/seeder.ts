// Edge-assisted seeding for live streams: who in the swarm fetches a new segment over HTTP.
//
// Stock p2p-media-loader leaves this to chance: every peer, on a random timer, fetches a
// random not-yet-shared segment with probability ~1/peers. Some segments get fetched by
// two peers, some by none until every playhead is close and all of them fetch it at once.
// Here each viewer, as soon as a new segment appears in its live playlist, asks the Worker
// for it with `?es_claim=<channel>`. The Worker serves the first such request in the swarm
// and answers every later one with a body-less 204 marked `x-edgeswarm-claim: denied`
// (worker/lease/). The winner checks the bytes against the playlist's SHA-256 and puts
// them in the core's store, which announces them to its peers at once; everyone else gets
// the segment over WebRTC. A refused viewer does nothing more: if peers have not delivered
// the segment by the time it enters the core's high-demand window (the seeder left, is not
// among its peers, or sent bytes that failed the hash check), the core fetches it over HTTP
// without a claim, which is never refused. The lease can cost bytes, never a stall.
//
// A won segment is the copy this viewer plays: each segment crosses the origin at most once
// per viewer. The core resolves hls.js's requests only from its own downloads, so when the
// core starts an HTTP fetch of a segment this seeder fetched (or is still fetching), the
// player's httpRequestSetup hands it these bytes instead (`handover`, as a blob: request)
// and no second copy leaves the origin. Claims are taken beyond the player's buffer horizon,
// so that race is rare, but on a slow link it happens, and before it cost a second copy.
// Whether to claim at all is claim-policy.ts's call (the `gate`).
//
// This module decides what to claim and stores what it wins. It knows nothing of hls.js.
import type { StreamType } from "p2p-media-loader-core";
import { claimUrl, readClaimAnswer } from "../shared/claim";
import { sha256Hex } from "./integrity";
import type { SegmentStore } from "./segment-store";

import { HANDOVER_URL_LIFETIME_MS, HANDOVER_WAIT_MS, SEED_MARGIN_S, SEED_MAX_HANDOVER, SEED_MAX_IN_FLIGHT, SEED_MAX_TRIED } from "./limits";

// The numbers (margins, slots, memory, waits) and their reasons are in limits.ts.
export { HANDOVER_WAIT_MS, SEED_MARGIN_S, SEED_MAX_IN_FLIGHT };

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
  /** The core's stream id, as the core hands it to its segment storage (stream-ids.ts). */
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
  /** Won segments the core asked for over HTTP and got from this seeder (no second copy). */
  handed: number;
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
    if (!s.sha256 || s.start < playhead + minLead) continue;
    if (isTried(s.url) || isHeld(s.externalId)) continue;
    out.push(s);
  }
  return out;
}

/** The handed-over bytes, or undefined once `signal` aborts or `ms` pass first. */
export function awaitHandover(won: Promise<ArrayBuffer | undefined>, signal: AbortSignal, ms = HANDOVER_WAIT_MS): Promise<ArrayBuffer | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = (v: ArrayBuffer | undefined) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(v);
    };
    const onAbort = () => done(undefined);
    const timer = setTimeout(() => done(undefined), ms);
    signal.addEventListener("abort", onAbort);
    won.then(done, () => done(undefined));
  });
}

/**
 * A request the core's HTTP loader can fetch that yields `data` without the network: how a
 * won segment reaches a core request that was started for it (handover). The blob: URL is
 * revoked after HANDOVER_URL_LIFETIME_MS.
 */
export function bytesRequest(data: ArrayBuffer, signal?: AbortSignal): Request {
  const url = URL.createObjectURL(new Blob([data]));
  const t = setTimeout(() => URL.revokeObjectURL(url), HANDOVER_URL_LIFETIME_MS) as unknown as { unref?: () => void };
  t.unref?.(); // Node (the virtual viewer): a pending revoke must not keep the process up
  return new Request(url, signal ? { signal } : {});
}

export interface SeederHooks {
  fetch?: typeof fetch;
  /** Called with each chunk of HTTP bytes a granted claim brings (for the viewer's counters). */
  onHttpBytes?: (n: number) => void;
  /** Called when a won segment is stored for the player and its peers. */
  onStored?: (url: string, bytes: number) => void;
  /** False while claiming cannot help the swarm (claim-policy.ts). */
  gate?: () => boolean;
  /**
   * The page's SHA-256 (integrity.ts sha256Hex). Handed in by the seeding extra: an extra is a
   * separate bundle, and its own copy of integrity.ts would not have the JS fallback that
   * pages without crypto.subtle load, so every won segment would fail its check.
   */
  hash?: (data: Uint8Array) => Promise<string>;
  /**
   * The URL as it is requested (PlayerContext.authed: the viewer token on the Worker's URLs).
   * Handed in, like `hash`; segments stay keyed by their playlist URL.
   */
  authed?: (url: string) => string;
}

export class EdgeSeeder {
  readonly counters: SeederCounters = { granted: 0, denied: 0, handed: 0, failed: 0, httpBytes: 0 };
  private readonly tried = new Set<string>();
  /** Verified bytes of won segments (or the promise of them while fetching), by URL. */
  private readonly won = new Map<string, Promise<ArrayBuffer | undefined>>();
  private inFlight = 0;
  /** Handed-over bytes the core has yet to report as HTTP chunks (originBytes). */
  private handedCredit = 0;
  private destroyed = false;
  /** The origin served a claim without marking it granted: it does not lease. */
  unsupported = false;
  /**
   * Set once the tracker assigns this viewer its fetcher role (fetcher-role.ts): which new
   * segments it fetches as soon as they are published, without a claim. Unset: claim mode.
   */
  role: ((externalId: number) => boolean) | undefined;
  private readonly aborts = new Set<AbortController>();
  private readonly fetchFn: typeof fetch;

  constructor(
    /** The core's current store (it makes a new one when P2P is switched off and on). */
    private readonly store: () => SegmentStore | undefined,
    private readonly channel: string,
    private readonly hooks: SeederHooks = {},
  ) {
    this.fetchFn = hooks.fetch ?? ((...a) => fetch(...a));
  }

  /** Feed every refresh of the live playlist being played, with the current playhead. */
  onPlaylist(p: SeedPlaylist, playhead: number): void {
    // VOD viewers are spread over the timeline; the core's own prefetch serves them.
    const store = this.store();
    if (this.destroyed || this.unsupported || !p.live || !store) return;
    if (!this.role && this.hooks.gate && !this.hooks.gate()) return;
    // The core registers a stream id when it first requests one of its segments; until then
    // we cannot be sure our id is the core's, and storing under a wrong id would be useless.
    if (!store.isKnownStream(p.streamId)) return;
    const picks = pickClaims(
      p.segments,
      playhead,
      p.minLead,
      (url) => this.tried.has(url),
      (id) => (this.role !== undefined && !this.role(id)) || store.hasSegment(p.swarmId, p.streamId, id),
      SEED_MAX_IN_FLIGHT - this.inFlight,
    );
    for (const s of picks) void this.claim(p, s);
  }

  /**
   * The bytes of `url` if this seeder won it (waiting for them while it is still fetching),
   * else undefined. For the core's own HTTP request of the same segment (see the header).
   */
  handover(url: string): Promise<ArrayBuffer | undefined> | undefined {
    return this.won.get(url);
  }

  /**
   * For the core's httpRequestSetup: a request yielding the bytes of `url` if this seeder won
   * it (waiting at most HANDOVER_WAIT_MS while it is still fetching, less if `signal` aborts),
   * else undefined: fetch as usual. Byte-range requests are never handed over.
   */
  async handoverRequest(url: string, signal: AbortSignal, ranged = false): Promise<Request | undefined> {
    const won = ranged ? undefined : this.won.get(url);
    const data = won ? await awaitHandover(won, signal) : undefined;
    if (!data || signal.aborted) return undefined;
    this.counters.handed++;
    this.handedCredit += data.byteLength;
    return bytesRequest(data, signal);
  }

  /**
   * Of `bytes` the core reports as HTTP, those that crossed the origin: bytes it got by
   * handover were counted (onHttpBytes) when this seeder fetched them.
   */
  originBytes(bytes: number): number {
    const own = Math.min(bytes, this.handedCredit);
    this.handedCredit -= own;
    return bytes - own;
  }

  destroy(): void {
    this.destroyed = true;
    this.won.clear();
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
  }

  private remember(url: string): void {
    this.tried.add(url);
    if (this.tried.size > SEED_MAX_TRIED) {
      const oldest = this.tried.values().next().value;
      if (oldest !== undefined) this.tried.delete(oldest);
    }
  }

  /** Claims a segment; if the edge grants it, fetches, verifies and stores it for peers. */
  private claim(p: SeedPlaylist, s: SeedSegment): Promise<void> {
    this.remember(s.url);
    let settle: (data: ArrayBuffer | undefined) => void = () => {};
    this.won.set(s.url, new Promise((r) => (settle = r)));
    if (this.won.size > SEED_MAX_HANDOVER) {
      const oldest = this.won.keys().next().value;
      if (oldest !== undefined) this.won.delete(oldest);
    }
    return this.fetchClaim(p, s).then((data) => {
      settle(data);
      if (!data) this.won.delete(s.url);
    });
  }

  /** Claims one segment; the verified bytes if it was won, stored for peers, else undefined. */
  private async fetchClaim(p: SeedPlaylist, s: SeedSegment): Promise<ArrayBuffer | undefined> {
    this.inFlight++;
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const url = this.role ? s.url : claimUrl(s.url, this.channel);
      const res = await this.fetchFn(this.hooks.authed?.(url) ?? url, { signal: abort.signal });
      const answer = readClaimAnswer(res.headers);
      if (answer === "denied") {
        this.counters.denied++;
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok || !res.body) {
        this.counters.failed++;
        await res.body?.cancel();
        return undefined;
      }
      // Served without the mark: this origin is not an EdgeSwarm Worker and ignores claims,
      // so every viewer would "win" every segment. Keep these bytes, claim nothing more.
      if (answer !== "granted" && !this.role) this.unsupported = true;
      // Read whole (not bounded: the Worker listed this segment and its hash is checked
      // below), counting each chunk as it comes so the HTTP rate stays live.
      const data = new Uint8Array(
        await new Response(
          res.body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform: (chunk, out) => {
                this.counters.httpBytes += chunk.byteLength;
                this.hooks.onHttpBytes?.(chunk.byteLength);
                out.enqueue(chunk);
              },
            }),
          ),
        ).arrayBuffer(),
      );
      // A truncated or altered response must never be passed on to peers as this segment.
      if ((await (this.hooks.hash ?? sha256Hex)(data)) !== s.sha256) {
        this.counters.failed++;
        return undefined;
      }
      const store = this.store();
      if (this.destroyed || !store) return undefined;
      this.counters.granted++;
      // Stored even when the player is already waiting for it: its peers want it too, and
      // the core's own request for it is answered by handover, not by a second fetch.
      await store.storeSegment(p.swarmId, p.streamId, s.externalId, data.buffer, s.start, s.end, p.streamType, true);
      this.hooks.onStored?.(s.url, data.byteLength);
      return data.buffer;
    } catch {
      if (!this.destroyed) this.counters.failed++;
      return undefined;
    } finally {
      this.inFlight--;
      this.aborts.delete(abort);
    }
  }
}
