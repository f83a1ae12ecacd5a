// Who may open a tracker socket on this shard: the per-address key and tag for
// MAX_SOCKETS_PER_IP. Pure string logic; the Durable Object tags sockets with it and counts
// them with ctx.getWebSockets(tag), so the count survives hibernation with the sockets.
import { addressKey } from "../access/address";

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
