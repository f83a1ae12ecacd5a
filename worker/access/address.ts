// One client address, as every per-address bound counts it: the lease holder
// (lease/limits.ts MAX_LEASES_PER_VIEWER), tracker sockets per address
// (tracker/limits.ts MAX_SOCKETS_PER_IP) and stats report budgets (stats/client-budget.ts).
// The address is what Cloudflare reports in CF-Connecting-IP, which a client cannot set. An
// IPv6 client usually owns a whole /64 and can pick any address in it, so IPv6 addresses
// count by their /64 prefix. Pure string logic.

/** The key of a CF-Connecting-IP value ("unknown" when absent or malformed). */
export function addressKey(ip: string | null): string {
  if (ip === null) return "unknown";
  // An IPv4-mapped IPv6 address is that IPv4 client.
  const v = ip.trim().replace(/^::ffff:(?=\d+\.)/i, "");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return v.split(".").every((b) => Number(b) <= 255) ? v : "unknown";
  const groups = expandIpv6(v);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : "unknown";
}

/** The 8 hextets of an IPv6 address (lowercase, no leading zeros), or null. */
function expandIpv6(v: string): string[] | null {
  if (v.length > 45 || !/^[0-9a-fA-F:.]+$/.test(v)) return null;
  let text = v.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two hextets.
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const b = v4.slice(2).map(Number);
    if (b.some((n) => n > 255)) return null;
    text = `${v4[1]}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.replace(/^0+(?=.)/, ""));
}
