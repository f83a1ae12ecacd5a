// Fetcher roles in a swarm: es_report frames in, es_role frames out, only to reporters and
// only when their role changes; planning every ROLE_PLAN_MS, or at once when a viewer's
// standing (proven or not) changes.
import { describe, expect, it } from "vitest";
import { parse, serialize, type InMessage, type ReportIn } from "../../../worker/tracker/protocol";
import { handle } from "../../../worker/tracker/swarm";
import { createState, type Effect, type TrackerState } from "../../../worker/tracker/state";
import { FETCHER_CLAIMERS, FETCHER_CLASSES, ROLE_PLAN_MS, ROLE_REPLAN_MIN_MS } from "../../../worker/tracker/limits";

const id = (tag: string) => tag.padEnd(20, "_").slice(0, 20);
const H = id("hash1");
const T0 = 1_000_000;
const rng = () => 0.5;
// 2 s segments of 500 KB (2 Mbit/s stream = 250 KB/s); a 30 s budget.
const SEG = { segmentBytes: 500_000, segmentSeconds: 2, budgetSeconds: 30 };

function announce(st: TrackerState, sock: number, peer: string, now: number): void {
  handle(st, sock, { action: "announce", infoHash: H, peerId: peer, event: "started", numwant: 0, complete: false, offers: [] }, now, rng);
}
function report(peer: string, rate: number | null, over: Partial<ReportIn> = {}): InMessage {
  return { action: "es_report", infoHash: H, peerId: peer, up: rate ?? 0, rate, peers: 3, ...SEG, ...over };
}
/** The role frames among `effects`, by socket, in socket order. */
function sends(effects: Effect[]): { to: number; mode: string; classes: number[] }[] {
  const out: { to: number; mode: string; classes: number[] }[] = [];
  for (const e of effects) if (e.kind === "send" && e.msg.type === "role") out.push({ to: e.to, mode: e.msg.mode, classes: e.msg.classes });
  return out.sort((a, b) => a.to - b.to);
}

describe("es_report wire format", () => {
  const good = { action: "es_report", info_hash: H, peer_id: id("p"), up: 1000, rate: 250_000, peers: 3, seg_bytes: 500_000, seg_s: 2, budget_s: 30 };

  it("parses every field and accepts rate null (nothing sent yet)", () => {
    expect(parse(JSON.stringify(good))).toEqual({
      ok: true,
      msg: {
        action: "es_report",
        infoHash: H,
        peerId: id("p"),
        up: 1000,
        rate: 250_000,
        peers: 3,
        segmentBytes: 500_000,
        segmentSeconds: 2,
        budgetSeconds: 30,
      },
    });
    const r = parse(JSON.stringify({ ...good, rate: null }));
    expect(r.ok && r.msg.action === "es_report" && r.msg.rate).toBeNull();
  });

  it("refuses each malformed field with a reason", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ info_hash: "short" }, "invalid info_hash"],
      [{ peer_id: 7 }, "invalid peer_id"],
      [{ up: -1 }, "invalid up"],
      [{ up: 1e12 }, "invalid up"],
      [{ rate: "fast" }, "invalid rate"],
      [{ peers: 1.5 }, "invalid peers"],
      [{ peers: 201 }, "invalid peers"],
      [{ seg_bytes: 0 }, "invalid seg_bytes"],
      [{ seg_bytes: 2 ** 27 }, "invalid seg_bytes"],
      [{ seg_s: 0 }, "invalid seg_s or budget_s"],
      [{ budget_s: Infinity }, "invalid seg_s or budget_s"],
    ];
    for (const [over, reason] of bad) expect(parse(JSON.stringify({ ...good, ...over }))).toMatchObject({ ok: false, reason });
  });

  it("serializes a role as es_role with the class count and the report period", () => {
    expect(JSON.parse(serialize({ type: "role", infoHash: H, mode: "roles", classes: [1, 5], m: 2, bucket: 3 }))).toEqual({
      action: "es_role",
      info_hash: H,
      mode: "roles",
      classes: [1, 5],
      of: FETCHER_CLASSES,
      m: 2,
      report_s: 15,
      bucket: 3,
    });
  });
});

describe("roles in a swarm", () => {
  it("says 'claims' until a viewer is proven, then gives the proven their classes at once; stock clients get nothing", () => {
    const st = createState(T0);
    for (let i = 1; i <= 5; i++) announce(st, i, id(`p${i}`), T0 - 60_000);
    // Nobody has sent a segment yet: no plan, claim at the edge.
    const first = handle(st, 1, report(id("p1"), null), T0, rng);
    expect(sends(first)).toEqual([{ to: 1, mode: "claims", classes: [] }]);
    // p2 proves itself: a re-plan at once (not after ROLE_PLAN_MS), and both reporters are told.
    const fx = handle(st, 2, report(id("p2"), 400_000), T0 + 1000, rng);
    expect(sends(fx)).toEqual([
      { to: 1, mode: "roles", classes: [] },
      { to: 2, mode: "roles", classes: [0, 1, 2, 3, 4, 5, 6, 7] },
    ]);
    // p3..p5 never reported (stock clients): no frame for them, ever.
    expect(sends(fx).some((f) => f.to > 2)).toBe(false);
  });

  it("tells only FETCHER_CLAIMERS reporters to claim while nobody is proven, so claims per segment stay bounded as viewers join", () => {
    const st = createState(T0);
    const n = FETCHER_CLAIMERS * 4;
    for (let i = 1; i <= n; i++) announce(st, i, id(`p${i}`), T0 - 60_000);
    const told: { to: number; mode: string; classes: number[] }[] = [];
    for (let i = 1; i <= n; i++) told.push(...sends(handle(st, i, report(id(`p${i}`), null), T0 + i, rng)));
    const byMode = (mode: string) => told.filter((f) => f.mode === mode).map((f) => f.to);
    // Every reporter hears once; the first FETCHER_CLAIMERS claim, the rest are non-fetchers.
    expect(told).toHaveLength(n);
    expect(byMode("claims")).toEqual(Array.from({ length: FETCHER_CLAIMERS }, (_, i) => i + 1));
    expect(told.filter((f) => f.mode === "roles").every((f) => f.classes.length === 0)).toBe(true);
    // A claimer that proves itself ends the claims phase: everyone hears "roles" at the next plan.
    const fx = sends(handle(st, 3, report(id("p3"), 400_000), T0 + ROLE_PLAN_MS, rng));
    expect(fx.filter((f) => f.mode === "claims")).toEqual([]);
    expect(fx.find((f) => f.to === 3)?.classes.length).toBe(FETCHER_CLASSES);
  });

  it("re-plans at most every ROLE_PLAN_MS while nobody's standing changes, and sends nothing when no role changed", () => {
    const st = createState(T0);
    for (let i = 1; i <= 3; i++) announce(st, i, id(`p${i}`), T0 - 60_000);
    handle(st, 1, report(id("p1"), 400_000), T0, rng);
    // p2 proven too: its standing changed, so it is planned in at once, sharing the classes.
    const both = sends(handle(st, 2, report(id("p2"), 400_000), T0 + 1000, rng));
    expect(both.map((f) => f.classes.length)).toEqual([4, 4]);
    expect(sends(handle(st, 1, report(id("p1"), 400_000), T0 + 2000, rng))).toEqual([]);
    expect(sends(handle(st, 1, report(id("p1"), 400_000), T0 + ROLE_PLAN_MS, rng))).toEqual([]);
  });

  it("re-plans on a change of standing at most every ROLE_REPLAN_MIN_MS, and between plans answers only the reporter", () => {
    const st = createState(T0);
    for (let i = 1; i <= 3; i++) announce(st, i, id(`p${i}`), T0 - 60_000);
    handle(st, 1, report(id("p1"), 400_000), T0, rng);
    // p2 proves itself within ROLE_REPLAN_MIN_MS of the last plan: no plan yet; it hears only its own "roles" (none).
    expect(sends(handle(st, 2, report(id("p2"), 400_000), T0 + ROLE_REPLAN_MIN_MS - 1, rng))).toEqual([{ to: 2, mode: "roles", classes: [] }]);
    // Its next report, once the gap has passed, is planned in: the classes are shared.
    const later = sends(handle(st, 2, report(id("p2"), 400_000), T0 + ROLE_PLAN_MS, rng));
    expect(later.map((f) => f.classes.length)).toEqual([4, 4]);
  });

  it("takes the role from a viewer whose sending rate drops below the stream's rate", () => {
    const st = createState(T0);
    for (let i = 1; i <= 2; i++) announce(st, i, id(`p${i}`), T0 - 60_000);
    handle(st, 1, report(id("p1"), 400_000), T0, rng);
    handle(st, 2, report(id("p2"), 400_000), T0 + 1000, rng);
    const fx = sends(handle(st, 1, report(id("p1"), 20_000), T0 + 2000, rng));
    expect(fx).toEqual([
      { to: 1, mode: "roles", classes: [] },
      { to: 2, mode: "roles", classes: [0, 1, 2, 3, 4, 5, 6, 7] },
    ]);
  });

  it("refuses a report for a swarm the peer is not in, and closes a socket reporting for another's peer_id", () => {
    const st = createState(T0);
    announce(st, 1, id("p1"), T0);
    const notIn = handle(st, 1, report(id("p9"), 1000), T0, rng);
    expect(notIn).toEqual([
      { kind: "send", to: 1, msg: { type: "failure", reason: "report for a swarm this peer has not announced in", action: "announce", infoHash: H } },
    ]);
    const other = handle(st, 2, report(id("p1"), 1000), T0, rng);
    expect(other.some((e) => e.kind === "close" && e.code === 1008)).toBe(true);
  });
});
