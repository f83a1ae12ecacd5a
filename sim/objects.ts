// Durable Object load accounting: every request or WebSocket frame an object handles, in
// one-second bins per object, plus the totals the bill needs. Counts only; the swarm model
// (swarm.ts) and the router (run.ts) say what each event costs.

export type ObjectKind = "tracker" | "lease" | "directory";

export interface ObjectTotals {
  /** WebSocket upgrades (one DO request each). */
  upgrades: number;
  /** Frames received by objects (billed 20:1). */
  wsIn: number;
  /** Frames sent by objects (load, not billed). */
  wsOut: number;
  /** Claim RPCs to lease objects. */
  claims: number;
  /** Directory look-ups (one per join). */
  lookups: number;
  /** Upgrades a shard refused (full, or past its join rate): one DO request each. */
  refusals: number;
  /** Seconds objects were awake (a request within the last `idleS`), summed over objects. */
  activeS: number;
}

/** A Durable Object idle this long hibernates and stops billing duration (10 s, per the DO docs). */
export const HIBERNATE_AFTER_S = 10;

export class ObjectLoad {
  private bins = new Map<string, { kind: ObjectKind; perS: Float64Array; claims: Float64Array; frames: Float64Array }>();
  readonly totals: ObjectTotals = { upgrades: 0, wsIn: 0, wsOut: 0, claims: 0, lookups: 0, refusals: 0, activeS: 0 };

  constructor(private readonly seconds: number) {}

  private obj(name: string, kind: ObjectKind) {
    let o = this.bins.get(name);
    if (!o) {
      const n = Math.ceil(this.seconds) + 1;
      o = { kind, perS: new Float64Array(n), claims: new Float64Array(n), frames: new Float64Array(n) };
      this.bins.set(name, o);
    }
    return o;
  }

  private bin(t: number): number {
    return Math.min(Math.ceil(this.seconds), Math.max(0, Math.floor(t)));
  }

  upgrade(name: string, t: number): void {
    this.totals.upgrades++;
    const o = this.obj(name, "tracker");
    o.perS[this.bin(t)]! += 1;
  }

  /** An upgrade the shard refused (503 "full"): a request it handled, and a frame-less answer. */
  refused(name: string, t: number): void {
    this.totals.refusals++;
    this.obj(name, "tracker").perS[this.bin(t)]! += 1;
  }

  frames(name: string, t: number, incoming: number, outgoing: number): void {
    this.totals.wsIn += incoming;
    this.totals.wsOut += outgoing;
    const o = this.obj(name, "tracker");
    const b = this.bin(t);
    // Requests are what the object receives (the ~1,000/s soft limit and the bill count
    // those); frames it sends are load on its sockets, shown apart as msgs/s.
    o.perS[b]! += incoming;
    o.frames[b]! += incoming + outgoing;
  }

  /** `incoming` frames spread evenly over [t, t + spanS) (reports arriving on each viewer's own timer). */
  spread(name: string, t: number, incoming: number, spanS: number): void {
    const n = Math.max(1, Math.round(spanS));
    for (let i = 0; i < n; i++) this.frames(name, t + i, incoming / n, 0);
  }

  claim(name: string, t: number): void {
    this.totals.claims++;
    const o = this.obj(name, "lease");
    const b = this.bin(t);
    o.perS[b]! += 1;
    o.claims[b]! += 1;
  }

  lookup(name: string, t: number): void {
    this.totals.lookups++;
    this.obj(name, "directory").perS[this.bin(t)]! += 1;
  }

  get objects(): number {
    return this.bins.size;
  }

  /** Largest one-second count of any object, and of frames / claims alone, and which object. */
  peaks(): { maxRps: number; maxRpsObject: string; maxRpsAt: number; maxFramesPerS: number; maxClaimsPerS: number; byKind: Record<ObjectKind, number> } {
    let maxRps = 0,
      maxRpsObject = "",
      maxRpsAt = 0,
      maxFramesPerS = 0,
      maxClaimsPerS = 0;
    const byKind: Record<ObjectKind, number> = { tracker: 0, lease: 0, directory: 0 };
    for (const [name, o] of this.bins) {
      for (let i = 0; i < o.perS.length; i++) {
        const v = o.perS[i]!;
        if (v > maxRps) {
          maxRps = v;
          maxRpsObject = name;
          maxRpsAt = i;
        }
        if (v > byKind[o.kind]) byKind[o.kind] = v;
        if (o.frames[i]! > maxFramesPerS) maxFramesPerS = o.frames[i]!;
        if (o.claims[i]! > maxClaimsPerS) maxClaimsPerS = o.claims[i]!;
      }
    }
    return { maxRps, maxRpsObject, maxRpsAt, maxFramesPerS, maxClaimsPerS, byKind };
  }

  /** Object-seconds awake: a second counts when the object had a request in the last HIBERNATE_AFTER_S. */
  activeSeconds(): number {
    let total = 0;
    for (const o of this.bins.values()) {
      let last = -Infinity;
      for (let i = 0; i < o.perS.length; i++) {
        if (o.perS[i]! > 0) last = i;
        if (i - last < HIBERNATE_AFTER_S) total++;
      }
    }
    return total;
  }
}
