// The browser lab's per-viewer source breakdown (bench/swarm/browser-diag.ts): which
// segments each viewer fetched over HTTP and why, where its P2P downloads came from and how
// long they took, and which it gave up on.
import { describe, expect, it } from "vitest";
import { claimCounts, diagnose, emptyDiag, isSegmentUrl, type DiagLog } from "../../../../bench/swarm/browser-diag.ts";
import { diagTable } from "../../../../bench/swarm/table.ts";

const seg = (n: number) => `http://127.0.0.1:9/live/loop/360p/${n}.ts`;

function log(peerId: string, fill: (l: DiagLog) => void): DiagLog {
  const l = emptyDiag();
  l.peerIds.push(peerId);
  l.coreSeen = true;
  fill(l);
  return l;
}

describe("diagnose", () => {
  it("names the reason of each HTTP segment fetch: won claim, join, after a P2P try, no try while another held it", () => {
    const a = log("peer-a", (l) => {
      l.fetches.push({ t: 100, th: 110, url: `${seg(5)}?es_claim=loop`, status: 200, claim: "granted" });
      l.fetches.push({ t: 200, th: 210, url: `${seg(6)}?es_claim=loop`, status: 204, claim: "denied" });
      l.fetches.push({ t: 300, th: 301, url: "blob:http://127.0.0.1:9/x", status: 200, claim: null });
    });
    const b = log("peer-b", (l) => {
      l.frags.push({ t: 0, url: seg(1) }, { t: 10, url: seg(2) });
      l.fetches.push({ t: 5, th: 6, url: seg(1), status: 200, claim: null });
      l.fetches.push({ t: 210, th: 215, url: `${seg(6)}?es_claim=loop`, status: 200, claim: "granted" });
      // P2P from a for segment 5, given up after 3 s, then HTTP.
      l.core.push({ t: 1000, ev: "start", url: seg(5), src: "p2p", peer: "peer-a" });
      l.core.push({ t: 4000, ev: "error", url: seg(5), src: "p2p", peer: "peer-a", type: "abort" });
      l.fetches.push({ t: 4001, th: 4010, url: seg(5), status: 200, claim: null });
      // Segment 7: nobody won it, HTTP without a try.
      l.fetches.push({ t: 5000, th: 5010, url: seg(7), status: 200, claim: null });
    });
    const c = log("peer-c", (l) => {
      // Segment 6 from b over P2P in 0.5 s; segment 5 over HTTP without trying a, which held it.
      l.core.push({ t: 300, ev: "start", url: seg(6), src: "p2p", peer: "peer-b" });
      l.core.push({ t: 800, ev: "loaded", url: seg(6), src: "p2p", peer: "peer-b", bytes: 1000 });
      l.fetches.push({ t: 900, th: 905, url: seg(5), status: 200, claim: null });
      l.uploads["peer-a"] = 2048;
    });
    const rows = diagnose([
      { id: "es-01", log: a },
      { id: "es-02", log: b },
      { id: "es-03", log: c },
    ]);
    const [ra, rb, rc] = rows;
    expect(ra).toMatchObject({ claimsWon: 1, claimsDenied: 1, handovers: 1, wonRefetched: 2 });
    expect(ra!.http).toEqual({ won: 1, join: 0, afterP2P: 0, noTryHeld: 0, noTry: 0 });
    expect(rb!.http).toEqual({ won: 1, join: 1, afterP2P: 1, noTryHeld: 0, noTry: 1 });
    expect(rb!.p2pLostFrom).toEqual({ "es-01": [3000] });
    expect(rb!.p2pLostTypes).toEqual({ abort: 1 });
    expect(rc!.http).toEqual({ won: 0, join: 0, afterP2P: 0, noTryHeld: 1, noTry: 0 });
    expect(rc!.p2pFrom).toEqual({ "es-02": [500] });
    expect(rc!.upKiBTo).toEqual({ "es-01": 2 });
    const table = diagTable(rows);
    expect(table).toContain("| 02 ");
    expect(table).toContain("01: 1× 3.0 s (max 3.0) [abort 1]");
  });

  it("shows a peer id no page announced as '?', and collapses repeated role modes", () => {
    const a = log("peer-a", (l) => {
      l.core.push({ t: 0, ev: "start", url: seg(1), src: "p2p", peer: "stranger" });
      l.core.push({ t: 100, ev: "loaded", url: seg(1), src: "p2p", peer: "stranger", bytes: 10 });
      l.roles.push({ t: 1, mode: "claims", classes: 0 }, { t: 2, mode: "claims", classes: 0 }, { t: 3, mode: "roles", classes: 2 });
    });
    const [r] = diagnose([{ id: "es-01", log: a }]);
    expect(r!.p2pFrom).toEqual({ "?": [100] });
    expect(r!.roles).toEqual(["claims", "roles:2"]);
  });

  it("counts claims for the bench's claim line, handovers apart", () => {
    const l = emptyDiag();
    l.fetches.push(
      { t: 0, th: 1, url: `${seg(1)}?es_claim=loop`, status: 200, claim: "granted" },
      { t: 0, th: 1, url: `${seg(2)}?es_claim=loop`, status: 204, claim: "denied" },
      { t: 0, th: undefined, url: `${seg(3)}?es_claim=loop`, status: 0, claim: null, error: "AbortError" },
      { t: 0, th: 1, url: "blob:x", status: 200, claim: null },
      { t: 0, th: 1, url: seg(4), status: 200, claim: null },
    );
    expect(claimCounts(l)).toEqual({ granted: 1, denied: 1, handed: 1, failed: 1 });
  });

  it("treats playlists, reports and page scripts as not segments", () => {
    expect(isSegmentUrl("http://h/live/loop/360p/index.m3u8?x=1")).toBe(false);
    expect(isSegmentUrl("http://h/api/report")).toBe(false);
    expect(isSegmentUrl("http://h/edgeswarm.js")).toBe(false);
    expect(isSegmentUrl("blob:http://h/1")).toBe(false);
    expect(isSegmentUrl("http://h/live/loop/360p/12.ts")).toBe(true);
  });
});
