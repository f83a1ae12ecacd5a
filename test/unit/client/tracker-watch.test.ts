// Tracker recovery: probe on a growing back-off, restart P2P once the tracker answers,
// never hammer a tracker that keeps failing. Timers and the probe are injected.
import { describe, expect, it } from "vitest";
import { TRACKER_PROBE_MAX_MS, TRACKER_PROBE_MIN_MS } from "../../../client/limits";
import { TrackerWatch, nextDelay } from "../../../client/tracker-watch";
import { isPeerFailure } from "../../../client/plugins/tracker-health";

function harness(probeResults: boolean[]) {
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const states: string[] = [];
  let restarts = 0;
  const w = new TrackerWatch({
    url: "ws://t/announce/x",
    restart: async () => {
      restarts++;
    },
    onState: (s) => states.push(s),
    probe: async () => probeResults.shift() ?? false,
    setTimer: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimer: () => {},
  });
  const fire = async () => {
    const t = timers.shift();
    if (!t) throw new Error("no timer pending");
    t.fn();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return t.ms;
  };
  return { w, timers, states, fire, restarts: () => restarts };
}

describe("isPeerFailure", () => {
  it("tells a failed WebRTC peer (bittorrent-tracker's 'Connection error: …' warning) from tracker trouble", () => {
    expect(isPeerFailure("Connection error: Ice connection failed.")).toBe(true);
    expect(isPeerFailure("Connection error: libdatachannel error while adding remote description")).toBe(true);
    expect(isPeerFailure("invalid peer_id")).toBe(false); // a tracker's failure reason
    expect(isPeerFailure("Invalid tracker response")).toBe(false);
    expect(isPeerFailure("connection error: lower case is not bittorrent-tracker's")).toBe(false);
  });
});

describe("nextDelay", () => {
  it("doubles from the minimum and stops at the ceiling", () => {
    expect(nextDelay(0)).toBe(TRACKER_PROBE_MIN_MS);
    expect(nextDelay(1)).toBe(TRACKER_PROBE_MIN_MS * 2);
    expect(nextDelay(50)).toBe(TRACKER_PROBE_MAX_MS);
  });
});

describe("TrackerWatch", () => {
  it("goes down on a failure and restarts P2P as soon as a probe connects", async () => {
    const h = harness([false, false, true]);
    h.w.noteFailure();
    expect(h.states).toEqual(["down"]);
    expect(await h.fire()).toBe(TRACKER_PROBE_MIN_MS);
    expect(await h.fire()).toBe(TRACKER_PROBE_MIN_MS * 2);
    expect(h.restarts()).toBe(0);
    expect(await h.fire()).toBe(TRACKER_PROBE_MIN_MS * 4);
    expect(h.restarts()).toBe(1);
    h.w.noteConnect();
    expect(h.states).toEqual(["down", "up"]);
  });

  it("schedules one probe however many failures arrive", () => {
    const h = harness([]);
    h.w.noteFailure();
    h.w.noteFailure();
    h.w.noteFailure();
    expect(h.timers).toHaveLength(1);
  });

  it("keeps backing off when a reachable tracker keeps failing right after each restart", async () => {
    const h = harness([true, true, true]);
    h.w.noteFailure();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      delays.push(await h.fire());
      h.w.noteConnect(); // the new socket opens…
      h.w.noteFailure(); // …and the tracker refuses again
    }
    expect(delays).toEqual([TRACKER_PROBE_MIN_MS, TRACKER_PROBE_MIN_MS * 2, TRACKER_PROBE_MIN_MS * 4]);
    expect(h.restarts()).toBe(3);
  });

  it("ignores failures while quieted (its own restarts close sockets)", () => {
    const h = harness([]);
    h.w.quiet(10_000);
    h.w.noteFailure();
    expect(h.states).toEqual([]);
    expect(h.timers).toHaveLength(0);
  });

  it("does nothing after destroy", async () => {
    const h = harness([true]);
    h.w.noteFailure();
    h.w.destroy();
    await h.fire();
    expect(h.restarts()).toBe(0);
  });
});
