// The simulated network: viewers' link speeds, which pairs can connect, and how a peer's
// uplink is shared by the transfers it serves. Rates are bytes per second. An uploader
// serves up to `maxParallel` transfers at once and splits its uplink fairly among them,
// each capped by the per-connection limit and the receiver's downlink (water-filling: what
// one capped transfer cannot use goes to the others). No swarm logic here.
import { EventQueue, type Handle } from "./events";
import { pairUnit, type Rng } from "./rng";

export const MBIT = 1e6 / 8;

export interface Tier {
  /** Share of viewers on this tier (tiers' shares sum to 1). */
  share: number;
  upBps: number;
  downBps: number;
}

export interface NetworkConfig {
  tiers: readonly Tier[];
  /** Share of viewer pairs that cannot connect (symmetric NATs without TURN). */
  unconnectableShare: number;
  /** Throughput limit of one peer connection (WebRTC data channel over a real path). */
  connLimitBps: number;
  /** Mean time to first byte of an HTTP segment fetch from the edge (exponential). */
  httpTtfbS: number;
  /** Request round trip on a peer connection. */
  p2pRttS: number;
  /** Offer → answer → ICE → data channel open. */
  connectS: number;
}

/** Downlink for an uplink: 10× the uplink, at least 25 Mbit/s. */
export const downlinkFor = (upBps: number) => Math.max(10 * upBps, 25 * MBIT);

/** The mix: 20 % at 1 Mbit/s up, 50 % at 5, 25 % at 20, 5 % at 100. */
export const UPLINK_MIX: readonly Tier[] = [1, 5, 20, 100].map((mbit, i) => ({
  share: [0.2, 0.5, 0.25, 0.05][i]!,
  upBps: mbit * MBIT,
  downBps: downlinkFor(mbit * MBIT),
}));

export const DEFAULT_NETWORK: NetworkConfig = {
  tiers: UPLINK_MIX,
  unconnectableShare: 0.2,
  connLimitBps: 10 * MBIT,
  httpTtfbS: 0.08,
  p2pRttS: 0.05,
  connectS: 0.5,
};

/** A tier drawn by share. */
export function drawTier(tiers: readonly Tier[], r: Rng): Tier {
  let u = r.next();
  for (const t of tiers) {
    if (u < t.share) return t;
    u -= t.share;
  }
  return tiers[tiers.length - 1]!;
}

/** Whether two viewers (by global id) can connect: a fixed property of the pair. */
export function connectable(seed: number, a: number, b: number, unconnectableShare: number): boolean {
  return pairUnit(seed, a, b) >= unconnectableShare;
}

/** Seconds to move `bytes` at `rateBps` after `latencyS`. */
export function transferSeconds(bytes: number, rateBps: number, latencyS = 0): number {
  return latencyS + bytes / rateBps;
}

/**
 * Fair shares of `capacity` among transfers with individual caps (max-min fairness):
 * ascending caps take min(cap, what is left / transfers left).
 */
export function fairShares(capacity: number, caps: readonly number[]): number[] {
  const order = caps.map((c, i) => [c, i] as const).sort((a, b) => a[0] - b[0]);
  const out = Array.from({ length: caps.length }, () => 0);
  let left = capacity;
  let n = caps.length;
  for (const [cap, i] of order) {
    const r = Math.min(cap, left / n);
    out[i] = r;
    left -= r;
    n--;
  }
  return out;
}

export interface Upload {
  bytes: number;
  left: number;
  cap: number;
  rate: number;
  startedAt: number;
  /**
   * Uploads running when it started and when it finished, itself included: the larger is how
   * many ran at once as the client's store (segment-store.ts) tells upload-slots.ts.
   */
  nStart: number;
  nEnd: number;
  onDone: (u: Upload) => void;
}

/**
 * One viewer's uplink: the transfers it serves now and their rates. It keeps one event in the
 * queue, the next completion, so a change of shares costs one event, not one per transfer.
 */
export class Uplink {
  readonly active: Upload[] = [];
  private next?: Handle;
  private lastAt = 0;
  /** Seconds with at least one upload running, and bytes sent, since the last take(). */
  busyS = 0;
  sentBytes = 0;
  /** Whole uploads finished since the last take(): their bytes and the seconds each took (summed). */
  doneBytes = 0;
  doneS = 0;
  private busySince = -1;

  constructor(
    private readonly q: EventQueue,
    readonly upBps: number,
    /** Uploads served at once; the owner may change it between uploads (upload-slots.ts). */
    public maxParallel: number,
  ) {}

  get busy(): boolean {
    return this.active.length >= this.maxParallel;
  }

  /** Starts serving `bytes`, capped at `cap` bytes/s; undefined when every slot is taken. */
  start(bytes: number, cap: number, onDone: (u: Upload) => void): Upload | undefined {
    if (this.busy) return undefined;
    this.settle();
    if (this.active.length === 0) this.busySince = this.q.now;
    const u: Upload = { bytes, left: bytes, cap, rate: 0, startedAt: this.q.now, nStart: this.active.length + 1, nEnd: 0, onDone };
    this.active.push(u);
    this.reshare();
    return u;
  }

  /** Stops `u` early (the receiver switched to HTTP, or left). */
  abort(u: Upload): void {
    const i = this.active.indexOf(u);
    if (i < 0) return;
    this.settle();
    this.active.splice(i, 1);
    this.idleCheck();
    this.reshare();
  }

  /** Bytes sent, busy seconds and whole uploads (bytes, seconds) since the last call, then zeroed (a report period). */
  take(): { bytes: number; busyS: number; doneBytes: number; doneS: number } {
    this.settle();
    if (this.busySince >= 0) {
      this.busyS += this.q.now - this.busySince;
      this.busySince = this.q.now;
    }
    const r = { bytes: this.sentBytes, busyS: this.busyS, doneBytes: this.doneBytes, doneS: this.doneS };
    this.sentBytes = this.busyS = this.doneBytes = this.doneS = 0;
    return r;
  }

  private settle(): void {
    const dt = this.q.now - this.lastAt;
    if (dt > 0) {
      for (const u of this.active) {
        const sent = Math.min(u.left, u.rate * dt);
        u.left -= sent;
        this.sentBytes += sent;
      }
    }
    this.lastAt = this.q.now;
  }

  private idleCheck(): void {
    if (this.active.length === 0 && this.busySince >= 0) {
      this.busyS += this.q.now - this.busySince;
      this.busySince = -1;
    }
  }

  private reshare(): void {
    this.q.cancel(this.next);
    this.next = undefined;
    if (this.active.length === 0) return;
    const rates = fairShares(
      this.upBps,
      this.active.map((u) => u.cap),
    );
    let soonest = Infinity;
    this.active.forEach((u, i) => {
      u.rate = rates[i]!;
      soonest = Math.min(soonest, u.left / u.rate);
    });
    this.next = this.q.after(soonest, () => this.tick());
  }

  /** The soonest transfer(s) finished: hand them over, re-share among the rest. */
  private tick(): void {
    this.next = undefined;
    this.settle();
    const done = this.active.filter((u) => u.left <= u.rate * 1e-9 + 1e-6);
    for (const u of done) {
      this.sentBytes += u.left;
      u.left = 0;
      u.nEnd = this.active.length;
      this.active.splice(this.active.indexOf(u), 1);
      this.doneBytes += u.bytes;
      this.doneS += this.q.now - u.startedAt;
    }
    this.idleCheck();
    this.reshare();
    for (const u of done) u.onDone(u);
  }
}
