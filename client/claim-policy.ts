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
// Pure: time is passed in; no timers, no I/O.

import { CLAIM_POLICY } from "./limits";

/** The policy's numbers and their reasons are in limits.ts. */
export { CLAIM_POLICY };

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
