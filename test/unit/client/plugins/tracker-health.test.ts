// Tracker-health plug-in: tracker trouble becomes error events and, through the tracker
// watch (an extra, loaded at install), `tracker` down; a peer's failed connection is not
// tracker trouble; a failure noticed before the watch arrived is passed on when it does.
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeContext } from "./fake-context";

vi.mock("../../../../client/extras", () => ({
  // The watch module itself, as the page would import it from beside the bundle.
  loadExtra: async () => import("../../../../client/tracker-watch"),
}));

const { installTrackerHealth, isPeerFailure } = await import("../../../../client/plugins/tracker-health");

afterEach(() => vi.useRealTimers());

describe("installTrackerHealth", () => {
  it("reports a tracker error and takes the tracker down; a peer's connection error is only an error", async () => {
    const f = fakeContext();
    const dispose = installTrackerHealth(f.ctx);
    f.core("onTrackerWarning", { streamType: "main", warning: new Error("Connection error: ICE failed") });
    f.core("onTrackerError", { streamType: "main", error: new Error("socket refused") });
    await vi.waitFor(() => expect(f.events.some(([k]) => k === "tracker")).toBe(true));
    expect(f.events.map(([k, e]) => `${k}:${(e as { type?: string; state?: string }).type ?? (e as { state: string }).state}`)).toEqual([
      "error:other",
      "error:tracker",
      "tracker:down",
    ]);
    // A peer connecting means the tracker works again.
    f.core("onPeerConnect", { peerId: "p", streamType: "main" });
    expect(f.events.at(-1)).toEqual(["tracker", { state: "up" }]);
    dispose();
  });

  it("isPeerFailure names bittorrent-tracker's per-peer warning", () => {
    expect(isPeerFailure("Connection error: x")).toBe(true);
    expect(isPeerFailure("Error: tracker refused")).toBe(false);
  });
});
