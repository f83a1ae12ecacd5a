// What a tracker socket carries across hibernation (its attachment) and how stored
// values are read back: validated, never trusted. No socket or storage access here.
import { isBinaryString } from "./protocol";
import { COUNTER_NAMES, emptyCounters, type Counters, type MembershipRecord, type SocketId } from "./state";

/** What a socket's attachment holds. Versioned so a format change can be detected on wake.
 * `closed` marks a socket the tracker has closed (abuse, outage): frames it still
 * sends before the close handshake ends must not resurrect it after a wake.
 * `i`: since when it held no swarm (SOCKET_IDLE_MS), written while `m` is empty; optional,
 * so attachments written before it existed still read (their idle time starts at the wake). */
export interface Attachment {
  v: 1;
  id: SocketId;
  m: MembershipRecord[];
  i?: number;
  closed?: true;
}

export function readAttachment(raw: unknown): Attachment | null {
  if (typeof raw !== "object" || raw === null) return null;
  const a: Record<string, unknown> = { ...raw };
  if (a.v !== 1 || typeof a.id !== "number" || !Number.isSafeInteger(a.id) || !Array.isArray(a.m)) return null;
  const m: MembershipRecord[] = [];
  for (const r of a.m) {
    if (!Array.isArray(r) || r.length !== 4) continue;
    const [h, p, c, t] = r;
    if (isBinaryString(h, 20) && isBinaryString(p, 20) && typeof c === "boolean" && typeof t === "number" && Number.isFinite(t)) {
      m.push([h, p, c, t]);
    }
  }
  if (a.closed === true) return { v: 1, id: a.id, m: [], closed: true };
  const att: Attachment = { v: 1, id: a.id, m };
  if (typeof a.i === "number" && Number.isFinite(a.i)) att.i = a.i;
  return att;
}

export function readCounters(raw: unknown): Counters {
  const c = emptyCounters();
  if (typeof raw !== "object" || raw === null) return c;
  const r: Record<string, unknown> = { ...raw };
  for (const n of COUNTER_NAMES) {
    const v = r[n];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) c[n] = v;
  }
  return c;
}
