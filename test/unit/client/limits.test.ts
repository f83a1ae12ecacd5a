// The client's limits (client/limits.ts) hold the relations its behaviour rests on.
import { describe, expect, it } from "vitest";
import * as L from "../../../client/limits";
import { windowsFor } from "../../../client/scheduling/window-policy";
import { UPLINK_PROBE_MAX_BYTES } from "../../../shared/uplink-probe";
import { BURST_FLOOR_BYTES } from "../../../harness/netlab/limits";

describe("client limits", () => {
  it("the uplink probe: its warm-up drains a token bucket of the lab's size, the Worker takes twice it, a slow link is filled briefly and the hold outlasts the probe", () => {
    expect(L.UPLINK_PROBE.warmBytes).toBeGreaterThanOrEqual(BURST_FLOOR_BYTES);
    expect(L.UPLINK_PROBE.bytes).toBeGreaterThan(L.UPLINK_PROBE.warmBytes);
    expect(2 * L.UPLINK_PROBE.bytes).toBeLessThanOrEqual(UPLINK_PROBE_MAX_BYTES);
    // At 0.3 Mbit/s (37.5 KB/s) the second upload's extra bytes take under 1.5 s.
    expect((L.UPLINK_PROBE.bytes - L.UPLINK_PROBE.warmBytes) / 37_500).toBeLessThan(1.5);
    expect(L.WEAK_UPLINK.holdS).toBeGreaterThan(10 * L.UPLINK_PROBE.timeoutS);
  });

  it("scheduling windows nest: high demand ≤ HTTP prefetch ≤ P2P prefetch", () => {
    expect(L.HIGH_DEMAND_S).toBeLessThanOrEqual(L.HTTP_WINDOW_S);
    expect(L.HTTP_WINDOW_S).toBeLessThanOrEqual(L.P2P_WINDOW_S);
    expect(L.LIVE_HIGH_DEMAND_SEGMENTS).toBeLessThan(L.LIVE_HIGH_DEMAND_MAX_SEGMENTS);
    expect(L.DEFAULT_TARGET_DURATION_S).toBeLessThanOrEqual(L.MAX_TARGET_DURATION_S);
  });

  it("a joining viewer fetches fewer segments at once than a joined one, and joins within a few segments", () => {
    expect(windowsFor(2, true, 0, true).simultaneousHttpDownloads).toBeLessThan(L.SIMULTANEOUS_HTTP);
    expect(L.JOIN_SEGMENTS).toBeGreaterThanOrEqual(2);
  });

  it("a peer that goes silent is dropped before its HTTP fallback would be", () => {
    expect(L.P2P_SILENCE_MS).toBeLessThanOrEqual(L.HTTP_SILENCE_MS);
  });

  it("a claim waits for its handover no longer than hls.js waits for a first byte, and the blob lives far longer", () => {
    expect(L.HANDOVER_WAIT_MS).toBeLessThan(L.FRAG_FIRST_BYTE_MS);
    expect(L.HANDOVER_URL_LIFETIME_MS).toBeGreaterThan(L.HANDOVER_WAIT_MS * 10);
    expect(L.SEED_MAX_TRIED).toBeGreaterThan(L.SEED_MAX_HANDOVER);
    expect(L.MAX_HANDED).toBeGreaterThan(L.SEED_MAX_HANDOVER);
  });

  it("a win counts as taken only within the take window, and claiming pauses far longer than that", () => {
    expect(L.CLAIM_POLICY.pauseS).toBeGreaterThan(L.CLAIM_POLICY.takeWindowS);
    expect(L.CLAIM_POLICY.untakenStreak).toBeGreaterThanOrEqual(2);
  });

  it("tracker recovery: the probe back-off grows to its ceiling, the restart gap covers the tracker's reply wait, the watch restarts its back-off after a stable stretch", () => {
    expect(L.TRACKER_PROBE_MIN_MS).toBeLessThan(L.TRACKER_PROBE_MAX_MS);
    expect(L.TRACKER_RESTART_GAP_MS).toBeGreaterThan(1_000); // bittorrent-tracker waits up to 1 s for a reply
    expect(L.TRACKER_PROBE_TIMEOUT_MS).toBeLessThan(L.TRACKER_PROBE_MAX_MS);
    expect(L.TRACKER_STABLE_MS).toBeGreaterThanOrEqual(L.TRACKER_PROBE_MAX_MS);
  });

  it("re-announce backs off from its first delay to its ceiling, and a stable peer outlives a few re-announce ticks", () => {
    expect(L.REANNOUNCE.firstS).toBeLessThan(L.REANNOUNCE.maxS);
    expect(L.REANNOUNCE.firstS * 1000).toBeGreaterThanOrEqual(L.REANNOUNCE_TICK_MS);
    expect(L.REANNOUNCE.stableS).toBeGreaterThan(L.REANNOUNCE.firstS);
  });

  it("uploads: a stale upload frees its slot before the asker's own P2P timeout would have given up twice", () => {
    expect(L.MAX_PARALLEL_UPLOADS).toBeGreaterThanOrEqual(1);
    expect(L.UPLOAD_STALE_MS).toBeGreaterThan(L.P2P_SILENCE_MS);
  });

  it("upload slots: more only while each upload stays faster than real time, fewer when sharing slows uploads, decided on more than one upload", () => {
    expect(L.UPLOAD_SLOTS_MIN_SPEED).toBeGreaterThan(1);
    expect(L.UPLOAD_SLOTS_KEEP).toBeGreaterThan(0.5);
    expect(L.UPLOAD_SLOTS_KEEP).toBeLessThan(1);
    expect(L.UPLOAD_SLOTS_SAMPLES).toBeGreaterThanOrEqual(2);
  });

  it("the store keeps more behind the playhead than any P2P prefetch reaches ahead", () => {
    expect(L.KEEP_BEHIND_S).toBeGreaterThanOrEqual(L.P2P_WINDOW_S);
  });

  it("fetch-time memory spans several segments and tracks more open fetches than the core runs at once", () => {
    expect(L.RECENT_FETCHES).toBeGreaterThan(1);
    expect(L.MAX_OPEN_FETCHES).toBeGreaterThan(L.SIMULTANEOUS_HTTP + L.SEED_MAX_IN_FLIGHT);
  });
});
