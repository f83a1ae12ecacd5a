// Time as a dependency: pure logic takes `now` as an argument; the few objects that read
// time themselves hold a Clock, so tests and the simulator move time instead of sleeping.

export interface Clock {
  /** Milliseconds since the epoch (or since the start of a simulated run). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Wall time plus an offset that only moves forward: a Durable Object's test hook shifts it
 * to make expiry due without waiting, while alarms still run on wall time (`toWall`).
 */
export class OffsetClock implements Clock {
  private offset = 0;
  constructor(private readonly base: Clock = systemClock) {}
  now(): number {
    return this.base.now() + this.offset;
  }
  /** Moves this clock `ms` ahead of its base (a negative shift is ignored). */
  advance(ms: number): number {
    if (ms > 0) this.offset += ms;
    return this.now();
  }
  /** The base-clock time at which this clock reads `t` (to set a real alarm for it). */
  toWall(t: number): number {
    return t - this.offset;
  }
}
