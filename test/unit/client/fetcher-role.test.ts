// The viewer's side of fetcher roles: what it reports on the tracker socket, and how the
// shard's es_role frames become the seeder's role.
import { afterEach, describe, expect, it, vi } from "vitest";
import { installFetcherRole, UploadMeter, type FrameHooks, type RoleContext } from "../../../client/fetcher-role";
import { APPLY_FETCHER_ROLES, MIN_SEND_MS, REPORT_FIRST_MS } from "../../../client/limits";

const H = "h".repeat(20);
const P = "p".repeat(20);

function fakes() {
  let now = 0;
  const segments: ((e: { bytesLength: number }) => void)[] = [];
  const ctx: RoleContext = {
    hls: { latency: 20, currentLevel: 0, levels: [{ details: { targetduration: 2 } }] },
    counters: { peers: new Set(["main:a", "main:b", "audio:c"]) },
    on: ((_type: string, fn: never) => segments.push(fn)) as RoleContext["on"],
    now: () => now,
  };
  const sent: Record<string, unknown>[] = [];
  const socket = { send: (t: string) => sent.push(JSON.parse(t)) };
  const frames: FrameHooks = {};
  const seeder: { role: ((id: number) => boolean) | undefined } = { role: undefined };
  return { ctx, frames, seeder, socket, sent, segments, advance: (ms: number) => (now += ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("UploadMeter", () => {
  it("rates a viewer by the time its whole-segment uploads took, not by how often it was asked", () => {
    const m = new UploadMeter(0);
    // A 0.3 Mbit/s uplink: two 212 KB segments, 5.65 s each.
    m.add(212_000, 5_650, 10_000);
    m.add(212_000, 5_650, 30_000);
    const slow = m.read(60_000, 100_000);
    expect(slow.rate).toBeCloseTo(424_000 / 11.3, 6);
    expect(slow.up).toBeCloseTo(424_000 / 60, 6);
    // A fast uplink asked for one segment a minute still shows its speed.
    const f = new UploadMeter(0);
    f.add(212_000, 500, 20_000);
    expect(f.read(60_000, 100_000).rate).toBeCloseTo(424_000, 6);
    expect(f.read(60_000, 1_000_000).rate).toBeNull();
    // An upload that seems instant (it fit in the channel's buffer) counts MIN_SEND_MS.
    f.add(30_000, 0, 21_000);
    expect(f.read(60_000, 1).rate).toBeCloseTo(242_000 / ((500 + MIN_SEND_MS) / 1000), 6);
    // A minute later those uploads have left the window.
    expect(f.read(125_000, 1).up).toBe(0);
  });
});

describe("installFetcherRole", () => {
  it("reports but keeps claiming while APPLY_FETCHER_ROLES is off", () => {
    expect(APPLY_FETCHER_ROLES).toBe(false);
    const f = fakes();
    const { dispose } = installFetcherRole(f.ctx, f.seeder, f.frames);
    f.frames.incoming!(f.socket, JSON.stringify({ action: "es_role", info_hash: H, mode: "roles", classes: [1], of: 8, m: 1, report_s: 15, bucket: 0 }));
    expect(f.seeder.role).toBeUndefined();
    dispose();
  });

  it("reports for each swarm the page announced in, with its figures, and stops after a stopped announce", () => {
    vi.useFakeTimers();
    const f = fakes();
    const role = installFetcherRole(f.ctx, f.seeder, f.frames);
    f.frames.outgoing!(f.socket, JSON.stringify({ action: "announce", info_hash: H, peer_id: P, event: "started", numwant: 5 }));
    f.segments.forEach((fn) => fn({ bytesLength: 500_000 }));
    f.advance(10_000);
    role.onTransfer(600_000, 100);
    vi.advanceTimersByTime(REPORT_FIRST_MS);
    expect(f.sent).toHaveLength(1);
    // 600 KB sent in 0.1 s; two peers in the main swarm.
    expect(f.sent[0]).toMatchObject({ action: "es_report", info_hash: H, peer_id: P, peers: 2, seg_bytes: 500_000, seg_s: 2, rate: 6_000_000 });
    // The budget: 20 s behind the live edge less the live high-demand window (window-policy.ts).
    expect(f.sent[0]!.budget_s).toBeGreaterThan(0);
    expect(f.sent[0]!.budget_s).toBeLessThan(20);
    f.frames.outgoing!(f.socket, JSON.stringify({ action: "announce", info_hash: H, peer_id: P, event: "stopped" }));
    vi.advanceTimersByTime(60_000);
    expect(f.sent).toHaveLength(1);
    role.dispose();
  });

  it("turns es_role frames into the seeder's role (claims until the swarm has roles), and takes it back on dispose", () => {
    const f = fakes();
    const { dispose } = installFetcherRole(f.ctx, f.seeder, f.frames, true);
    const role = (mode: string, classes: unknown) => JSON.stringify({ action: "es_role", info_hash: H, mode, classes, of: 8, m: 1, report_s: 15, bucket: 0 });
    f.frames.incoming!(f.socket, role("claims", []));
    expect(f.seeder.role).toBeUndefined();
    f.frames.incoming!(f.socket, role("roles", [1, 5]));
    expect([9, 13, 2, 8].map((id) => f.seeder.role!(id))).toEqual([true, true, false, false]);
    f.frames.incoming!(f.socket, "{not json");
    f.frames.incoming!(f.socket, role("roles", "all"));
    expect(f.seeder.role!(9)).toBe(true); // malformed frames change nothing
    f.frames.incoming!(f.socket, role("roles", []));
    expect(f.seeder.role!(9)).toBe(false); // a non-fetcher: never asks the edge
    f.frames.incoming!(f.socket, role("claims", []));
    expect(f.seeder.role).toBeUndefined(); // no proven viewer any more: claims again
    f.frames.incoming!(f.socket, role("roles", [0]));
    dispose();
    expect(f.seeder.role).toBeUndefined();
    expect(f.frames.incoming).toBeUndefined();
  });
});
