// Integrity plug-in: peer bytes count only when they match the Worker's SHA-256 for the
// segment (integrity.ts HashBook), and the core only ever sees segments that have one
// (hls-bridge.ts engineView). Without crypto.subtle (a page outside a secure context) the JS
// SHA-256 is loaded beside the script; if it cannot be had, nothing could be verified, so
// P2P goes off for this player rather than trust or blame peers. Before any of that, a peer
// that declares a segment size other than the Worker's published one is closed before its
// bytes arrive (peer-size-guard.ts); the core counts that as p2p-failed ("peer-closed").
import { loadExtra } from "../extras";
import { engineView } from "../hls-bridge";
import { HashBook, useJsSha256, type JsSha256 } from "../integrity";
import { peerSizeGuard } from "../peer-size-guard";
import * as S from "../stats";
import { message } from "../events";
import type { Dispose, P2PContext } from "./context";

export function installIntegrity(ctx: P2PContext): Dispose {
  const { counters } = ctx;
  const book = new HashBook();
  ctx.hooks.validate = async (url, byteRange, data) => {
    const verdict = await book.verify(url, byteRange, data);
    if (verdict === "ok") return true;
    // Not a verdict on the bytes: the page has no SHA-256 and P2P is being turned off.
    if (verdict === "unavailable") return false;
    const mismatch = verdict === "mismatch";
    S.addRejected(counters, data.byteLength);
    S.countError(counters, mismatch ? "p2p-hash-mismatch" : "p2p-hash-unknown");
    ctx.events.emit("rejected", { reason: mismatch ? "hash-mismatch" : "hash-unknown", url, bytes: data.byteLength });
    return false; // the core drops this peer's bytes, destroys the peer and retries
  };
  useJsSha256(() => loadExtra<{ sha256: JsSha256 }>("sha256", ctx.opts.assets).then((m) => m.sha256))?.catch((err: unknown) => {
    if (ctx.destroyed()) return;
    ctx.configure({ isP2PDisabled: true });
    ctx.fail({ type: "unsupported", details: `no SHA-256 on this page (${message(err)}): playing over HTTP only`, fatal: false });
  });
  // onSegmentStart fires as the core asks a peer, before the request goes out: what it will
  // be asked for and how many bytes the Worker says that is.
  const sizes = peerSizeGuard(() => {});
  ctx.on("onSegmentStart", ({ segment, downloadSource, peerId }) => {
    if (downloadSource === "p2p" && peerId) sizes.expect(peerId, segment.externalId, book.bytes(segment.url, segment.byteRange));
  });
  // Last of the hls.js listeners: the engine's own run after the scheduling and seeding ones.
  ctx.engine.bindHls(engineView(ctx.hls, book));
  return () => sizes.dispose();
}
