// Whether this viewer should ask the edge for new live segments right now (seeder.ts).
//
// A won claim makes this viewer the swarm's HTTP copy of a segment: the others wait for it
// over WebRTC. That only pays when peers actually take what it wins. A viewer whose peers
// cannot reach it (no TURN, a blocked network) wins segments nobody takes and holds everyone
// else back until their HTTP fallback. So it stops for a while after a run of wins that no
// peer took, and a newly connected peer ends the pause. Without any peer it claims only in
// its first seconds (`aloneS`): a viewer still alone plays what it wins itself (seeder.ts
// hands won bytes to the player, never a second copy), and the viewers joining next find
// those segments held; requiring a peer from the start cost a 4-viewer cable run every
// segment that appeared before the first connection (each fetched by all four). Past that,
// a viewer with no peer is one nobody can reach, and its claims only fetch ahead what it may
// never play. Measured on the lab's `blocked` profile: 5 % more origin egress than with P2P
// off before any of this, 1.5 % with the streak rule alone (the segments claimed ahead when
// the viewers left).
//
// "Taken" is read from upload bytes: p2p-media-loader reports uploads per peer, not per
// segment, so any upload after a win counts as that win taken. A viewer that relays other
// segments is still a useful uploader, which is what the rule is about.
//
// A viewer whose uplink is slower than the stream (SlowUplink, below) neither claims nor
// uploads once others are present: measured on the lab's weak-first profile, every segment
// it won or relayed reached its askers after their HTTP fallback (paid twice), and its
// uploads filled the uplink that carries its own downloads' acknowledgements.
//
// Pure: time is passed in; no timers, no I/O.

import { CLAIM_POLICY, WEAK_UPLINK } from "./limits";

/** The policy's numbers and their reasons are in limits.ts. */
export { CLAIM_POLICY, WEAK_UPLINK };

interface Win {
  at: number;
  taken: boolean;
}

export class ClaimPolicy {
  private peers = 0;
  private wins: Win[] = [];
  private streak = 0;
  private pausedUntil = 0;
  private startedS: number | undefined;
  private everConnected = false;

  constructor(private readonly limits: { takeWindowS: number; untakenStreak: number; pauseS: number; aloneS: number } = CLAIM_POLICY) {}

  /** The viewer's connected peer count in the stream it seeds changed. */
  onPeers(count: number): void {
    // A new peer is a new chance that wins get taken: end a pause early.
    if (count > this.peers) {
      this.pausedUntil = 0;
      this.streak = 0;
    }
    this.peers = Math.max(0, Math.floor(count));
    if (this.peers > 0) this.everConnected = true;
  }

  /** A claim was won and its segment stored for peers at `nowS` (seconds). */
  onWin(nowS: number): void {
    this.wins.push({ at: nowS, taken: false });
  }

  /** Bytes were sent to a peer at `nowS`. */
  onUpload(bytes: number, nowS: number): void {
    if (!(bytes > 0)) return;
    for (const w of this.wins) if (w.at <= nowS) w.taken = true;
  }

  /** True when claiming now can help the swarm. */
  allowed(nowS: number): boolean {
    this.startedS ??= nowS;
    this.settle(nowS);
    if (this.peers === 0 && (this.everConnected || nowS - this.startedS >= this.limits.aloneS)) return false;
    return nowS >= this.pausedUntil;
  }

  /** Wins whose window has passed are settled: taken resets the streak, untaken extends it. */
  private settle(nowS: number): void {
    while (this.wins.length > 0) {
      const w = this.wins[0]!;
      if (!w.taken && nowS - w.at < this.limits.takeWindowS) break;
      this.wins.shift();
      if (w.taken) {
        this.streak = 0;
        continue;
      }
      this.streak++;
      if (this.streak >= this.limits.untakenStreak) {
        this.pausedUntil = w.at + this.limits.takeWindowS + this.limits.pauseS;
        this.streak = 0;
      }
    }
  }
}

/**
 * This viewer's uplink as its own uploads show it, from the core's chunk events (one
 * `onChunkUploaded` per data-channel message, per peer). p2p-media-loader-core writes a
 * segment in 64 KB messages and stops while the data channel holds more than 64 KB
 * (simple-peer's MAX_BUFFERED_AMOUNT), until the browser has sent the excess: after the
 * first burst (two messages at once), each message it writes means 64 KB left the viewer.
 * So an upload's bytes after its first burst, over the time since, are its sending rate,
 * whatever the demand: each message after the first burst is one 64 KB drain, timed from the
 * message before. Back-to-back uploads to one peer are told apart by the short last message
 * of each. On a slow uplink the askers often give up before even one 64 KB has left
 * (measured: 0.3 Mbit/s needs 1.7 s for it; askers gave up after 1–3 s), and then there is no
 * figure at all: once it has served `minPeers` peers for `judgeS` that reads as 0. A segment
 * written whole with the burst says nothing either way and counts as fast. One slow receiver
 * can make one upload slow, hence several peers and the median.
 */
export class UplinkGauge {
  /** Per peer: the upload being written (messages so far, last one's time, whether it ended), and when uploads to it began. */
  private readonly peers = new Map<string, { first: number; last: number; n: number; done: boolean }>();
  /** Rates (bytes/s) of single 64 KB drains over the window, and when each was seen. */
  private readonly samples: { at: number; rate: number }[] = [];

  constructor(
    private readonly limits: {
      gapS: number;
      tickS: number;
      judgeS: number;
      windowS: number;
      minPeers: number;
      messageBytes: number;
      maxSamples: number;
    } = WEAK_UPLINK,
  ) {}

  /** `bytes` were written for `peer` at `nowS`. */
  onChunk(peer: string, bytes: number, nowS: number): void {
    if (!(bytes > 0)) return;
    let p = this.peers.get(peer);
    if (!p || nowS - p.last > this.limits.windowS) {
      this.peers.set(peer, (p = { first: nowS, last: nowS, n: 0, done: true }));
      // Bounded: a viewer holds few peers at once, but many come and go in a long session.
      if (this.peers.size > 64) this.peers.delete(this.peers.keys().next().value!);
    }
    // A new upload after the last one's short final message, or after a pause.
    if (p.done || nowS - p.last > this.limits.gapS) p.n = 0;
    const gap = nowS - p.last;
    // An upload's first message goes in at once, and so does any written in the same tick
    // (the burst); every later one waited for 64 KB to leave.
    if (p.n > 0 && gap >= this.limits.tickS) this.add(this.limits.messageBytes / gap, nowS);
    // The whole segment went in with the burst (its last message short): too small to tell.
    else if (p.n > 0 && bytes < this.limits.messageBytes) this.add(Infinity, nowS);
    p.n++;
    p.last = nowS;
    p.done = bytes < this.limits.messageBytes;
  }

  /**
   * The median drain rate over the window (0 when none drained) once uploads to `minPeers`
   * peers have run `judgeS`; else null. The median, not the best: a message written right
   * after an upload the asker cancelled looks like a fast drain.
   */
  rate(nowS: number): number | null {
    while (this.samples.length > 0 && nowS - this.samples[0]!.at > this.limits.windowS) this.samples.shift();
    let judged = 0;
    for (const [peer, p] of this.peers) {
      if (nowS - p.last > this.limits.windowS) this.peers.delete(peer);
      else if (nowS - p.first >= this.limits.judgeS) judged++;
    }
    if (judged < this.limits.minPeers) return null;
    if (this.samples.length === 0) return 0;
    const sorted = this.samples.map((x) => x.rate).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  private add(rate: number, nowS: number): void {
    this.samples.push({ at: nowS, rate });
    if (this.samples.length > this.limits.maxSamples) this.samples.shift();
  }
}

/**
 * Whether this viewer's uplink is too slow to serve peers: the uplink probe's rate (before
 * it serves anyone), or its sending rate to peers (UplinkGauge) while it has peers to leave
 * the work to, is below `share` of the stream's bytes per second. Once
 * found, that holds for `holdS` (with uploads off nothing measures the uplink again). A
 * viewer with no measurement yet is not slow: it has shown nothing either way.
 */
export class SlowUplink {
  private offUntil = -Infinity;

  constructor(private readonly limits: { share: number; holdS: number } = WEAK_UPLINK) {}

  /**
   * The uplink probe's `rate` (uplink-probe.ts; bytes per second, null: no figure): a rate
   * below the bar starts the hold at once, peers or not, so the viewer claims nothing and
   * offers its peers nothing from the start. True when it did.
   */
  probed(rate: number | null, stream: number | undefined, nowS: number): boolean {
    if (rate === null || !(stream !== undefined && stream > 0) || rate >= this.limits.share * stream) return false;
    this.offUntil = Math.max(this.offUntil, nowS + this.limits.holdS);
    return true;
  }

  /** `rate` and `stream` in bytes per second (null/undefined: unknown), `peers` in the main swarm; true while slow. */
  update(rate: number | null, stream: number | undefined, peers: number, nowS: number): boolean {
    if (nowS < this.offUntil) return true;
    if (rate === null || !(stream !== undefined && stream > 0) || !(peers > 0)) return false;
    if (rate >= this.limits.share * stream) return false;
    this.offUntil = nowS + this.limits.holdS;
    return true;
  }
}
