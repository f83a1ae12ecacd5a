// Fetcher roles in a swarm: es_report frames in, es_role frames out, only to reporters and
// only when their classes change; planning at most every ROLE_PLAN_MS.
import { describe, expect, it } from "vitest";
import { parse, serialize, type InMessage, type ReportIn } from "../../../worker/tracker/protocol";
import { handle } from "../../../worker/tracker/swarm";
import { createState, type Effect, type TrackerState } from "../../../worker/tracker/state";
import { FETCHER_CLASSES, FETCHER_MIN_AGE_MS, ROLE_PLAN_MS } from "../../../worker/tracker/limits";

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
function roles(effects: Effect[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const e of effects) if (e.kind === "send" && e.msg.type === "role") out.set(e.to, e.msg.classes);
  return out;
}

describe("es_report wire format", () => {
  const good = { action: "es_report", info_hash: H, peer_id: id("p"), up: 1000, rate: 250_000, peers: 3, seg_bytes: 500_000, seg_s: 2, budget_s: 30 };

  it("parses every field and accepts rate null (nothing sent yet)", () => {
    expect(parse(JSON.stringify(good))).toEqual({ ok: true, msg: { action: "es_report", infoHash: H, peerId: id("p"), up: 1000, rate: 250_000, peers: 3, segmentBytes: 500_000, segmentSeconds: 2, budgetSeconds: 30 } });
    const r = parse(JSON.stringify({ ...good, rate: null }));
    expect(r.ok && r.msg.action === "es_report" && r.msg.rate).toBeNull();
  });

  it("refuses each malformed field with a reason", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ info_hash: "short" }, "invalid info_hash"], [{ peer_id: 7 }, "invalid peer_id"], [{ up: -1 }, "invalid up"],
      [{ up: 1e12 }, "invalid up"], [{ rate: "fast" }, "invalid rate"], [{ peers: 1.5 }, "invalid peers"], [{ peers: 201 }, "invalid peers"],
      [{ seg_bytes: 0 }, "invalid seg_bytes"], [{ seg_bytes: 2 ** 27 }, "invalid seg_bytes"], [{ seg_s: 0 }, "invalid seg_s or budget_s"],
      [{ budget_s: Infinity }, "invalid seg_s or budget_s"],
    ];
    for (const [over, reason] of bad) expect(parse(JSON.stringify({ ...good, ...over }))).toMatchObject({ ok: false, reason });
  });

  it("serializes a role as es_role with the class count and the report period", () => {
    expect(JSON.parse(serialize({ type: "role", infoHash: H, classes: [1, 5], m: 2, bucket: 3 }))).toEqual({ action: "es_role", info_hash: H, classes: [1, 5], of: FETCHER_CLASSES, m: 2, report_s: 15, bucket: 3 });
  });
});

describe("roles in a swarm", () => {
  it("answers a first report with the viewer's role, and only reporters ever get one", () => {
    const st = createState(T0);
    for (let i = 1; i <= 5; i++) announce(st, i, id(`p${i}`), T0 - 60_000);
    const fx = handle(st, 1, report(id("p1"), 400_000), T0, rng);
    expect(roles(fx)).toEqual(new Map([[1, [0, 1, 2, 3, 4, 5, 6, 7]]]));
    // p2..p5 never reported (stock clients): no frame for them, ever.
    const fx2 = handle(st, 2, report(id("p2"), 400_000), T0 + ROLE_PLAN_MS, rng);
    expect([...roles(fx2).keys()].sort()).toEqual([1, 2]);
    expect([...roles(fx2).values()].map((c) => c.length).sort()).toEqual([4, 4]);
  });

  it("re-plans at most every ROLE_PLAN_MS and sends nothing when no role changed", () => {
    const st = createState(T0);
    for (let i = 1; i <= 3; i++) announce(st, i, id(`p${i}`), T0 - 60_000);
    handle(st, 1, report(id("p1"), 400_000), T0, rng);
    // Within the period p2's report is recorded but not planned: p2 learns it has no role.
    expect(roles(handle(st, 2, report(id("p2"), 400_000), T0 + 1000, rng))).toEqual(new Map([[2, []]]));
    expect(roles(handle(st, 1, report(id("p1"), 400_000), T0 + 2000, rng)).size).toBe(0);
    // Next period: the role is spread over both proven viewers.
    const next = roles(handle(st, 1, report(id("p1"), 400_000), T0 + ROLE_PLAN_MS, rng));
    expect(next.get(1)).toHaveLength(4);
    expect(next.get(2)).toHaveLength(4);
  });

  it("takes the role from a viewer whose delivery drops below the stream's rate", () => {
    const st = createState(T0);
    for (let i = 1; i <= 2; i++) announce(st, i, id(`p${i}`), T0 - 60_000);
    handle(st, 1, report(id("p1"), 400_000), T0, rng);
    handle(st, 2, report(id("p2"), 400_000), T0 + ROLE_PLAN_MS, rng);
    const fx = handle(st, 1, report(id("p1"), 20_000), T0 + 2 * ROLE_PLAN_MS, rng);
    expect(roles(fx).get(1)).toEqual([]);
    expect(roles(fx).get(2)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("gives a viewer that just joined no role, even as the only reporter", () => {
    const st = createState(T0);
    announce(st, 1, id("p1"), T0 - FETCHER_MIN_AGE_MS / 2);
    expect(roles(handle(st, 1, report(id("p1"), null), T0, rng))).toEqual(new Map([[1, []]]));
  });

  it("refuses a report for a swarm the peer is not in, and closes a socket reporting for another's peer_id", () => {
    const st = createState(T0);
    announce(st, 1, id("p1"), T0);
    const notIn = handle(st, 1, report(id("p9"), 1000), T0, rng);
    expect(notIn).toEqual([{ kind: "send", to: 1, msg: { type: "failure", reason: "report for a swarm this peer has not announced in", action: "announce", infoHash: H } }]);
    const other = handle(st, 2, report(id("p1"), 1000), T0, rng);
    expect(other.some((e) => e.kind === "close" && e.code === 1008)).toBe(true);
  });
});
