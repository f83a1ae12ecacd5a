// Report bodies: totals relative to the last acknowledged baseline, valid for the Worker.
import { describe, expect, it } from "vitest";
import { buildReport, newViewerId } from "../../../client/reporter";
import * as S from "../../../client/stats";
import { parseReport } from "../../../shared/stats-report";

describe("buildReport", () => {
  it("builds a report the Worker's parser accepts", () => {
    const c = S.newCounters();
    S.addHttp(c, 1000);
    S.addP2P(c, 3000);
    S.countError(c, "p2p-hash-mismatch");
    const r = buildReport("loop", newViewerId(), S.snapshot(c, true, "p2p"), { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, errors: S.newCounters().errors });
    const parsed = parseReport(JSON.parse(JSON.stringify(r)));
    expect(parsed.ok).toBe(true);
    expect(r).toMatchObject({ http: 1000, p2p: 3000, errors: { "p2p-hash-mismatch": 1 } });
  });

  it("names the page's tracker peer_id, which the Worker's parser accepts", () => {
    const c = S.newCounters();
    const base = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, errors: S.newCounters().errors };
    const peer = "-PM0102-abcdefghijkl";
    const r = buildReport("loop", "viewer-0001", S.snapshot(c, true, "p2p"), base, peer);
    expect(r.peer).toBe(peer);
    const parsed = parseReport(JSON.parse(JSON.stringify(r)));
    expect(parsed.ok && parsed.value.peer).toBe(peer);
  });

  it("leaves out a peer_id that is missing or not 20 chars (the Worker would refuse the whole report)", () => {
    const c = S.newCounters();
    const base = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, errors: S.newCounters().errors };
    expect("peer" in buildReport("loop", "viewer-0001", S.snapshot(c, true, "p2p"), base)).toBe(false);
    const r = buildReport("loop", "viewer-0001", S.snapshot(c, true, "p2p"), base, "short");
    expect("peer" in r).toBe(false);
    expect(parseReport(JSON.parse(JSON.stringify(r))).ok).toBe(true);
  });

  it("reports only what happened after the baseline", () => {
    const c = S.newCounters();
    S.addHttp(c, 1000);
    const r = buildReport("loop", "viewer-0001", S.snapshot(c, true, "p2p"), { httpBytes: 600, p2pBytes: 0, uploadedBytes: 0, errors: S.newCounters().errors });
    expect(r.http).toBe(400);
  });
});

describe("newViewerId", () => {
  it("is url-safe, 16 chars, and different each time", () => {
    const a = newViewerId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(newViewerId()).not.toBe(a);
  });
});
