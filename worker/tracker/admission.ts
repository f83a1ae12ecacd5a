// Who may open a tracker socket on this shard: the per-address key and tag for
// MAX_SOCKETS_PER_IP, and the shard's join rate (joinGate). Pure: the Durable Object tags
// sockets with the address tag and counts them with ctx.getWebSockets(tag), so the count
// survives hibernation with the sockets; it keeps one JoinGate in memory, and the swarm
// simulator (sim/run.ts) keeps one per simulated shard, so both refuse the same joins.
import { addressKey } from "../access/address";
import { take, type Bucket } from "../token-bucket";
import { JOIN_BURST, JOIN_DEMAND_WINDOW_MS, MAX_JOINS_PER_S_PER_SHARD, MIN_JOIN_PERIOD_MS } from "./limits";

/** Prefix of the tag addressTag makes (the durable object finds a socket's tag by it after a wake). */
export const CAP_TAG_PREFIX = "ip:";

/**
 * The hibernation tag of a socket from this CF-Connecting-IP value, or null when the
 * address is not capped. Cloudflare's edge always sets the header (a client cannot), and
 * never to a loopback address; a request without it, or from loopback, came from this
 * machine: workerd tests, and wrangler dev, where every lab and bench viewer is 127.0.0.1.
 * IPv6 counts by /64, which one client usually owns whole (addressKey).
 */
export function addressTag(ip: string | null): string | null {
  if (ip === null) return null;
  const v = ip.trim().toLowerCase();
  if (v === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v) || v === "::ffff:127.0.0.1") return null;
  return `${CAP_TAG_PREFIX}${addressKey(v)}`;
}

/**
 * A shard's join rate: a token bucket of JOIN_BURST refilled at MAX_JOINS_PER_S_PER_SHARD
 * (token-bucket.ts), and the upgrades asked for in the current JOIN_DEMAND_WINDOW_MS
 * (accepted or not), which is what the region must absorb. Memory only: after a wake the
 * bucket starts full, which costs at most JOIN_BURST joins once.
 */
export interface JoinGate {
  tokens: Bucket;
  asked: number;
  since: number;
}

export function newJoinGate(now: number): JoinGate {
  return { tokens: { tokens: JOIN_BURST, at: now }, asked: 0, since: now };
}

/** One upgrade asks to join: counted as demand; true when the rate lets it in (a token taken). */
export function admitJoin(g: JoinGate, now: number): boolean {
  if (now - g.since >= JOIN_DEMAND_WINDOW_MS || now < g.since) {
    g.asked = 0;
    g.since = now;
  }
  g.asked++;
  return take(g.tokens, now, JOIN_BURST, MAX_JOINS_PER_S_PER_SHARD);
}

/** Upgrades per second asked of this shard in the current window (measured over at least MIN_JOIN_PERIOD_MS). */
export function joinDemand(g: JoinGate, now: number): number {
  return g.asked / (Math.max(MIN_JOIN_PERIOD_MS, now - g.since) / 1000);
}
