// The test-only request clock. With EDGESWARM_TEST_HOOKS=1 (tests only, never production) a
// request may carry `x-edgeswarm-test-now: <ms since epoch>` and is served as if at that
// time: the live loop's window and the stats expiry are tested without waiting. Without
// the flag, or with a malformed value, the header is ignored and wall time is used.
import { systemClock, type Clock } from "../shared/clock";
import type { Env } from "./env";

export const TEST_NOW_HEADER = "x-edgeswarm-test-now";

export function requestClock(request: Request, env: Env): Clock {
  if (env.EDGESWARM_TEST_HOOKS !== "1") return systemClock;
  const v = request.headers.get(TEST_NOW_HEADER);
  if (v === null || !/^\d{1,16}$/.test(v) || Number(v) <= 0) return systemClock;
  const at = Number(v);
  return { now: () => at };
}
