// Peer size guard (issue 14 M6): p2p-media-loader-core 2.3.1 takes the byte length a peer
// declares in its "segment data" command as the transfer's size, so a lying peer can make a
// viewer download any amount of padding before the SHA-256 check fails. The Worker publishes
// each segment's size (#EXT-X-EDGESWARM-BYTES, HashBook.bytes); this guard reads the declared
// length on the wire, before the core sees the command, and closes the connection when it is
// not the published size (less the bytes the request already had), or, with no published
// size, over MAX_PUBLISHED_SEGMENT_BYTES. The core then sees the peer close ("peer-closed",
// counted as p2p-failed) and fetches the segment elsewhere; no body byte reaches it.
// The core has no hook for this: connections are reached through the bittorrent-tracker
// client's "peer" event (client/tracker-client.ts, a build redirect) and which segment a peer
// is asked for through the core's onSegmentStart event (plugins/integrity.ts). The wire
// format is the core's binary command framing (p2p/commands), checked against the core's own
// serializer by test/unit/client/peer-size-guard.test.ts. It judges sizes only, not bytes.
import { MAX_PUBLISHED_SEGMENT_BYTES } from "../shared/limits";

/** p2p-media-loader-core PeerCommandType values we read. */
const SEGMENT_REQUEST = 1;
const SEGMENT_DATA = 2;
// "cstr" … "cend": a command in one chunk; "dend"/"dstr" mark a command split over chunks.
const CSTR = [0x63, 0x73, 0x74, 0x72];
const CEND = [0x63, 0x65, 0x6e, 0x64];

export type PeerCommand = { c: number; i?: number; r?: number; s?: number; b?: number };

const startsWith = (b: Uint8Array, f: number[], at: number) => f.every((x, k) => b[at + k] === x);

/**
 * The SegmentRequest or SegmentData command in `chunk`; null for anything else (body bytes,
 * other commands); "malformed" for a SegmentData command this reader cannot read whole (split
 * over chunks or with non-integer fields): an honest peer never sends one.
 */
export function readPeerCommand(chunk: Uint8Array): PeerCommand | null | "malformed" {
  if (chunk.length < 9 || !startsWith(chunk, CSTR, 0)) return null;
  const c = chunk[4]!;
  if (c !== SEGMENT_REQUEST && c !== SEGMENT_DATA) return null;
  if (!startsWith(chunk, CEND, chunk.length - 4)) return c === SEGMENT_DATA ? "malformed" : null;
  const out: PeerCommand = { c };
  const end = chunk.length - 4;
  for (let o = 5; o < end;) {
    const name = String.fromCharCode(chunk[o]!);
    const meta = chunk[o + 1];
    // Int items only (type nibble 0), at most 7 bytes: any size we accept fits in 4.
    if (meta === undefined || meta >> 4 !== 0 || (meta & 15) === 0 || (meta & 15) > 7 || o + 2 + (meta & 15) > end) return "malformed";
    let n = chunk[o + 2]! & 0x7f;
    for (let k = 1; k < (meta & 15); k++) n = n * 256 + chunk[o + 2 + k]!;
    if (chunk[o + 2]! & 0x80) n = -n;
    if (name === "i" || name === "r" || name === "s" || name === "b") out[name] = n;
    o += 2 + (meta & 15);
  }
  return out;
}

/** Whether a declared length may be accepted: the published size less what the request had. */
export function sizeAllowed(declared: number, published: number | undefined, had: number): boolean {
  if (!Number.isSafeInteger(declared) || declared < 1) return false;
  return published === undefined ? declared + had <= MAX_PUBLISHED_SEGMENT_BYTES : declared === published - had;
}

interface Guard {
  /** remote peer id → the segment asked of it and its published size */
  asked: Map<string, { externalId: number; bytes: number | undefined }>;
  onRefused: (peerId: string, declared: number) => void;
}
const guards = new Set<Guard>();

/**
 * One player's guard: `expect` when the core asks a peer for a segment (onSegmentStart),
 * `dispose` when the player goes. Peers no guard asked anything pass untouched.
 */
export function peerSizeGuard(onRefused: Guard["onRefused"]): {
  expect(peerId: string, externalId: number, bytes: number | undefined): void;
  dispose(): void;
} {
  const g: Guard = { asked: new Map(), onRefused };
  guards.add(g);
  return {
    expect: (peerId, externalId, bytes) => void g.asked.set(peerId, { externalId, bytes }),
    dispose: () => void guards.delete(g),
  };
}

/** What the guard needs of a simple-peer connection (bittorrent-tracker's "peer" event). */
export interface ConnectionLike {
  id: string;
  emit(ev: string | symbol, ...args: unknown[]): boolean;
  write(chunk: unknown, ...rest: unknown[]): boolean;
  destroy(err?: Error): void;
}

/** The core's peer id for a connection (its Peer.getPeerIdFromConnection: hex → UTF-8). */
function peerIdOf(conn: ConnectionLike): string {
  return String(conn.id).replace(/../g, (h) => String.fromCharCode(parseInt(h, 16)));
}

/** Watches one connection's commands: our requests going out, the declared sizes coming in. */
export function guardConnection(conn: ConnectionLike): void {
  let sent: PeerCommand | undefined;
  let refused = false;
  const write = conn.write;
  conn.write = function (chunk: unknown, ...rest: unknown[]): boolean {
    if (chunk instanceof Uint8Array) {
      const cmd = readPeerCommand(chunk);
      if (cmd !== null && cmd !== "malformed" && cmd.c === SEGMENT_REQUEST) sent = cmd;
    }
    return write.call(this, chunk, ...rest);
  };
  const emit = conn.emit;
  conn.emit = function (ev: string | symbol, ...args: unknown[]): boolean {
    if (ev === "data") {
      // Bytes still in flight after a refusal never reach the core.
      if (refused) return false;
      const chunk = args[0];
      const cmd = chunk instanceof Uint8Array ? readPeerCommand(chunk) : null;
      if (cmd !== null && (cmd === "malformed" || cmd.c === SEGMENT_DATA)) {
        const peerId = peerIdOf(conn);
        for (const g of guards) {
          const asked = g.asked.get(peerId);
          if (!asked) continue;
          const declared = cmd === "malformed" ? -1 : (cmd.s ?? -1);
          // Data for another request is ignored by the core itself; only ours is judged.
          if (cmd !== "malformed" && (cmd.i !== asked.externalId || (sent && (sent.i !== cmd.i || sent.r !== cmd.r)))) continue;
          if (sizeAllowed(declared, asked.bytes, sent?.b ?? 0)) continue;
          refused = true;
          g.asked.delete(peerId);
          g.onRefused(peerId, declared);
          conn.destroy();
          return false;
        }
      }
    }
    return emit.call(this, ev, ...args);
  };
}
