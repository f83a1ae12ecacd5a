// Test-only behaviour, compiled into dist/test/edgeswarm.test.js and never into the shipped
// bundles (scripts/build.mjs defines __EDGESWARM_TEST__ as false there, and esbuild drops the
// calls). Lets a browser test play a hostile peer without a second implementation.

/** p2p-media-loader frames its commands with these ASCII markers; segment bytes have none. */
const STARTS = ["cstr", "dstr"];
const ENDS = ["cend", "dend"];

function ascii(u8: Uint8Array, from: number): string {
  return String.fromCharCode(...u8.subarray(from, from + 4));
}

export function isPeerCommand(u8: Uint8Array): boolean {
  return u8.length >= 8 && STARTS.includes(ascii(u8, 0)) && ENDS.includes(ascii(u8, u8.length - 4));
}

/** Flips bytes of every segment chunk this page sends over WebRTC (commands pass untouched). */
export function installUploadCorruption(): void {
  const proto = (globalThis as { RTCDataChannel?: { prototype: { send: (d: unknown) => void; __edgeswarmCorrupt?: boolean } } }).RTCDataChannel?.prototype;
  if (!proto || proto.__edgeswarmCorrupt) return;
  const send = proto.send;
  proto.__edgeswarmCorrupt = true;
  proto.send = function (this: unknown, data: unknown) {
    let u8: Uint8Array | undefined;
    if (data instanceof ArrayBuffer) u8 = new Uint8Array(data.slice(0));
    else if (ArrayBuffer.isView(data)) u8 = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    if (u8 && !isPeerCommand(u8)) {
      for (let i = 0; i < u8.length; i += 97) u8[i] = (u8[i] ?? 0) ^ 0xa5;
      return send.call(this, u8);
    }
    return send.call(this, data);
  };
}
