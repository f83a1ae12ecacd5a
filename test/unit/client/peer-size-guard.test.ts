// The peer size guard reads p2p-media-loader-core's own wire commands: frames made by the
// core's serializer (its lib/p2p/commands, the code a remote peer runs) are read back here,
// so a change of the library's framing fails this test instead of silently disabling the
// guard. Then the guard on a connection: a declared size other than the published one closes
// the connection before the command (or any body byte) is passed on; an honest one passes.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { guardConnection, peerSizeGuard, readPeerCommand, sizeAllowed } from "../../../client/peer-size-guard";
import { MAX_PUBLISHED_SEGMENT_BYTES } from "../../../shared/limits";

type Serialize = (cmd: Record<string, number>, max: number) => Uint8Array[];
const commands = (await import(new URL("./p2p/commands/index.js", import.meta.resolve("p2p-media-loader-core")).href)) as {
  serializePeerCommand: Serialize;
};
const wire = (cmd: Record<string, number>) => {
  const frames = commands.serializePeerCommand(cmd, 64 * 1024 - 1);
  expect(frames).toHaveLength(1);
  return frames[0]!;
};
const DATA = 2;
const REQUEST = 1;

describe("readPeerCommand on the core's own frames", () => {
  it("reads segment data and segment request commands as the core wrote them", () => {
    expect(readPeerCommand(wire({ c: DATA, i: 123456, r: 999, s: 1_234_567 }))).toEqual({ c: DATA, i: 123456, r: 999, s: 1_234_567 });
    expect(readPeerCommand(wire({ c: REQUEST, i: 7, r: 0, b: 40_000 }))).toEqual({ c: REQUEST, i: 7, r: 0, b: 40_000 });
    expect(readPeerCommand(wire({ c: DATA, i: 0, r: 1, s: MAX_PUBLISHED_SEGMENT_BYTES * 4 }))).toMatchObject({ s: MAX_PUBLISHED_SEGMENT_BYTES * 4 });
  });

  it("passes body bytes and other commands by", () => {
    expect(readPeerCommand(new Uint8Array(16_000).fill(0x63))).toBeNull();
    expect(readPeerCommand(wire({ c: 3, i: 1, r: 2 }))).toBeNull();
  });

  it("calls a segment data command it cannot read whole malformed", () => {
    const f = wire({ c: DATA, i: 1, r: 2, s: 3 });
    const cut = f.slice(0, f.length - 1);
    expect(readPeerCommand(new Uint8Array([...cut.slice(0, cut.length - 3), 0x64, 0x65, 0x6e, 0x64]))).toBe("malformed");
    const bad = f.slice();
    bad[6] = 0x10; // a similar-int-array item where an int belongs
    expect(readPeerCommand(bad)).toBe("malformed");
  });
});

describe("sizeAllowed", () => {
  it("accepts exactly the published size less the bytes the request already had", () => {
    expect(sizeAllowed(1000, 1000, 0)).toBe(true);
    expect(sizeAllowed(600, 1000, 400)).toBe(true);
    expect(sizeAllowed(1001, 1000, 0)).toBe(false);
    expect(sizeAllowed(999, 1000, 0)).toBe(false);
    expect(sizeAllowed(0, 0, 0)).toBe(false);
  });

  it("without a published size, accepts up to the largest segment the Worker serves", () => {
    expect(sizeAllowed(MAX_PUBLISHED_SEGMENT_BYTES, undefined, 0)).toBe(true);
    expect(sizeAllowed(MAX_PUBLISHED_SEGMENT_BYTES + 1, undefined, 0)).toBe(false);
    expect(sizeAllowed(64 * 1024 * 1024, undefined, 0)).toBe(false);
  });
});

/** A connection as the guard sees it: an emitter with simple-peer's id, write and destroy. */
class Conn extends EventEmitter {
  readonly written: Uint8Array[] = [];
  destroyed = false;
  constructor(readonly id: string) {
    super();
  }
  write(chunk: Uint8Array): boolean {
    this.written.push(chunk);
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}
const hex = (s: string) => [...s].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, "0")).join("");

describe("guardConnection", () => {
  it("closes a peer that declares more than the published size, before the command or its bytes reach the core", () => {
    const refused: [string, number][] = [];
    const guard = peerSizeGuard((p, n) => refused.push([p, n]));
    const conn = new Conn(hex("liar-peer-id-0000001"));
    guardConnection(conn);
    const seen: number[] = [];
    conn.on("data", (d: Uint8Array) => seen.push(d.byteLength));
    guard.expect("liar-peer-id-0000001", 42, 5000);
    conn.write(wire({ c: REQUEST, i: 42, r: 17 }));
    conn.emit("data", wire({ c: DATA, i: 42, r: 17, s: 64 * 1024 * 1024 }));
    conn.emit("data", new Uint8Array(16_000));
    expect(refused).toEqual([["liar-peer-id-0000001", 64 * 1024 * 1024]]);
    expect(conn.destroyed).toBe(true);
    expect(seen).toEqual([]);
    guard.dispose();
  });

  it("lets an honest peer's transfer through, also when resuming from a byte offset", () => {
    const refused: unknown[] = [];
    const guard = peerSizeGuard((p) => refused.push(p));
    const conn = new Conn(hex("honest-peer-id-00001"));
    guardConnection(conn);
    const seen: number[] = [];
    conn.on("data", (d: Uint8Array) => seen.push(d.byteLength));
    guard.expect("honest-peer-id-00001", 7, 5000);
    conn.write(wire({ c: REQUEST, i: 7, r: 3, b: 1000 }));
    conn.emit("data", wire({ c: DATA, i: 7, r: 3, s: 4000 }));
    conn.emit("data", new Uint8Array(4000));
    expect(refused).toEqual([]);
    expect(conn.destroyed).toBe(false);
    expect(seen.at(-1)).toBe(4000);
    expect(seen).toHaveLength(2);
    guard.dispose();
  });

  it("leaves peers alone that no player's guard asked for anything", () => {
    const conn = new Conn(hex("stranger-peer-id-001"));
    guardConnection(conn);
    let n = 0;
    conn.on("data", () => n++);
    conn.emit("data", wire({ c: DATA, i: 1, r: 1, s: 99_999_999 }));
    expect(conn.destroyed).toBe(false);
    expect(n).toBe(1);
  });
});
