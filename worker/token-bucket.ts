// A token bucket, the one rate policy the Worker's rooms share (the stats room's per-client
// report budget; the tracker's per-socket frame and offer budgets have the same shape).
// Pure: the caller keeps the bucket wherever its state lives and passes the clock in.

export interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

/** A bucket that starts full. */
export function fullBucket(burst: number, now: number): Bucket {
  return { tokens: burst, at: now };
}

/** Adds what `perS` earned since `b.at`, up to `burst`. A clock that goes back earns nothing. */
export function refill(b: Bucket, now: number, burst: number, perS: number): void {
  if (now > b.at) {
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perS);
    b.at = now;
  }
}

/** Refills, then takes `cost` tokens if there are that many; false (and nothing taken) if not. */
export function take(b: Bucket, now: number, burst: number, perS: number, cost = 1): boolean {
  refill(b, now, burst, perS);
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}
