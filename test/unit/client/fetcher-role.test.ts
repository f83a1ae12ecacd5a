// The viewer's side of fetcher roles: what it reports on the tracker socket, and how the
// shard's es_role frame becomes the seeder's role.
import { afterEach, describe, expect, it, vi } from "vitest";
import { installFetcherRole, UploadMeter, type FrameHooks, type RoleContext } from "../../../client/fetcher-role";
import { REPORT_BIN_MS, REPORT_FIRST_MS } from "../../../client/limits";

const H = "h".repeat(20);
const P = "p".repeat(20);

function fakes() {
  let now = 0;
  const uploads: ((n: number) => void)[] = [];
  const segments: ((e: { bytesLength: number }) => void)[] = [];
  const ctx: RoleContext = {
    hls: { latency: 20, currentLevel: 0, levels: [{ details: { targetduration: 2 } }] },
    counters: { peers: new Set(["main:a", "main:b", "audio:c"]) },
    on: ((type: string, fn: never) => (type === "onChunkUploaded" ? uploads.push(fn) : segments.push(fn))) as RoleContext["on"],
    now: () => now,
  };
  const sent: Record<string, unknown>[] = [];
  const socket = { send: (t: string) => sent.push(JSON.parse(t)) };
  const frames: FrameHooks = {};
  const seeder: { role: ((id: number) => boolean) | undefined } = { role: undefined };
  return { ctx, frames, seeder, socket, sent, uploads, segments, advance: (ms: number) => (now += ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("UploadMeter", () => {
  it("gives the minute's upload rate and the rate while sending, and no sending rate under a segment", () => {
    const m = new UploadMeter(0);
    // 400 KB over 2 s of sending (20 bins), inside a 60 s minute.
    for (let i = 0; i < 20; i++) m.add(20_000, 10_000 + i * REPORT_BIN_MS);
    const r = m.read(60_000, 100_000);
    expect(r.up).toBeCloseTo(400_000 / 60, 6);
    expect(r.rate).toBeCloseTo(400_000 / 2, 6);
    expect(m.read(60_000, 1_000_000).rate).toBeNull();
    // A minute later those bytes have left the window.
    expect(m.read(125_000, 1).up).toBe(0);
  });
});

describe("installFetcherRole", () => {
  it("reports for each swarm the page announced in, with its figures, and stops after a stopped announce", () => {
    vi.useFakeTimers();
    const f = fakes();
    installFetcherRole(f.ctx, f.seeder, f.frames);
    f.frames.outgoing!(f.socket, JSON.stringify({ action: "announce", info_hash: H, peer_id: P, event: "started", numwant: 5 }));
    f.segments.forEach((fn) => fn({ bytesLength: 500_000 }));
    f.advance(10_000);
    for (let i = 0; i < 10; i++) f.uploads.forEach((fn) => fn(60_000));
    vi.advanceTimersByTime(REPORT_FIRST_MS);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]).toMatchObject({ action: "es_report", info_hash: H, peer_id: P, peers: 2, seg_bytes: 500_000, seg_s: 2, rate: 6_000_000 });
    // The budget: 20 s behind the live edge less the live high-demand window (window-policy.ts).
    expect(f.sent[0]!.budget_s).toBeGreaterThan(0);
    expect(f.sent[0]!.budget_s).toBeLessThan(20);
    f.frames.outgoing!(f.socket, JSON.stringify({ action: "announce", info_hash: H, peer_id: P, event: "stopped" }));
    vi.advanceTimersByTime(60_000);
    expect(f.sent).toHaveLength(1);
  });

  it("turns an es_role frame into the seeder's role, and takes it back on dispose", () => {
    const f = fakes();
    const dispose = installFetcherRole(f.ctx, f.seeder, f.frames);
    f.frames.incoming!(f.socket, JSON.stringify({ action: "es_role", info_hash: H, classes: [1, 5], of: 8, m: 1, report_s: 15, bucket: 0 }));
    expect([9, 13, 2, 8].map((id) => f.seeder.role!(id))).toEqual([true, true, false, false]);
    f.frames.incoming!(f.socket, "{not json");
    f.frames.incoming!(f.socket, JSON.stringify({ action: "es_role", classes: "all", of: 8 }));
    expect(f.seeder.role!(9)).toBe(true); // malformed frames change nothing
    dispose();
    expect(f.seeder.role).toBeUndefined();
    expect(f.frames.incoming).toBeUndefined();
  });
});
