// When a tracker client with no peers should announce again, instead of waiting for the
// tracker's interval. Each announce carries fresh WebRTC offers, and the tracker relays them
// to other peers of the swarm: an announce is the only way a viewer can ask to be connected.
// bittorrent-tracker's client announces once at start, after 30 s, then every `interval` the
// tracker gives (60 s from ours, 120 s from bittorrent-tracker's server). A viewer whose
// peers all left, or whose first offers all failed, would sit peerless that long while
// others are in the swarm, fetching everything over HTTP.
//
// Rule: while the client has no connected peer and its last tracker reply counted someone
// else in the swarm, announce again 2 s after the last announce (or after its last peer
// left), then back off (4, 8, 16, 30 s). Only a connection that lasted resets the back-off:
// a peer that is dropped at once (its segment failed the hash check) must not be redialled
// every two seconds. Alone in the swarm it waits: a newcomer's offers will reach it.
// Pure: time is passed in; tracker-client.ts runs it.

import { REANNOUNCE } from "./limits";

/** The schedule's numbers and their reasons are in limits.ts. */
export { REANNOUNCE };

export class PeerlessReannounce {
  private connected = 0;
  private others = false;
  private lastAnnounceS = Number.NEGATIVE_INFINITY;
  private attempts = 0;

  constructor(private readonly limits: { firstS: number; maxS: number; stableS: number } = REANNOUNCE) {}

  /** A tracker replied to an announce of ours: `complete + incomplete` peers, us included. */
  onReply(complete: number, incomplete: number, nowS: number): void {
    const n = (Number.isFinite(complete) ? complete : 0) + (Number.isFinite(incomplete) ? incomplete : 0);
    this.others = n > 1;
    this.lastAnnounceS = Math.max(this.lastAnnounceS, nowS);
  }

  onConnect(): void {
    this.connected++;
  }

  /** A connected peer closed at `nowS` after `livedS` seconds. */
  onClose(nowS: number, livedS: number): void {
    this.connected = Math.max(0, this.connected - 1);
    if (livedS >= this.limits.stableS) this.attempts = 0;
    // Peerless from now: the next announce is due one delay from here.
    if (this.connected === 0) this.lastAnnounceS = nowS;
  }

  /** Seconds to wait after the last announce before the next, for the current attempt. */
  delayS(): number {
    return Math.min(this.limits.maxS, this.limits.firstS * 2 ** this.attempts);
  }

  /** True when an announce should go out now; the caller then announces and calls onAnnounce. */
  due(nowS: number): boolean {
    return this.connected === 0 && this.others && nowS - this.lastAnnounceS >= this.delayS();
  }

  onAnnounce(nowS: number): void {
    this.attempts++;
    this.lastAnnounceS = nowS;
  }
}
