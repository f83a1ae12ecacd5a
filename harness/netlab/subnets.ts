// Choosing a lab's /24: the first one in the pool (limits.ts) that overlaps no address or
// route already on the machine, so a lab never shadows a real network or another lab. Pure:
// the caller passes what `ip -j -4 addr` / `ip -j -4 route` reported.
import { POOL_FIRST_OCTET, POOL_SECOND_OCTET, POOL_SIZE } from "./limits.ts";

export interface Cidr {
  base: number;
  bits: number;
}

/** "10.1.2.3/24" or "10.1.2.3" (a host, /32) as a network; undefined if it is not IPv4. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  return { base: addr - (addr % 2 ** (32 - bits)), bits };
}

/** Two networks overlap when the shorter prefix contains the other's base. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  const size = 2 ** (32 - bits);
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

/**
 * The first free /24 of the pool, scanning from `start` (mod pool size) so labs of different
 * processes start apart, as "a.b.c" (the bridge takes .1); undefined when all are taken.
 * A default route (0/0) is not a clash: a more specific /24 on our bridge is exactly what
 * keeps lab traffic off it.
 */
export function pickSubnet(used: readonly Cidr[], start: number): string | undefined {
  const taken = used.filter((c) => c.bits > 0);
  for (let k = 0; k < POOL_SIZE; k++) {
    const third = (((start + k) % POOL_SIZE) + POOL_SIZE) % POOL_SIZE;
    const prefix = `${POOL_FIRST_OCTET}.${POOL_SECOND_OCTET}.${third}`;
    const net = parseCidr(`${prefix}.0/24`)!;
    if (!taken.some((c) => overlaps(c, net))) return prefix;
  }
  return undefined;
}
