// Tracker-health plug-in: notices when the tracker fails (tracker errors and warnings, its
// sockets closing), and hands those notices to the tracker watch (tracker-watch.ts), which
// emits `tracker` up/down and, once a probe gets through, has the core's tracker clients
// restarted here. The watch is an extra loaded at attach (extras.ts): it acts only seconds
// after a failure, so it is there long before; a failure noticed before it arrived is passed
// on when it does. If it cannot be loaded, bittorrent-tracker's own reconnect remains.
import { loadExtra } from "../extras";
import { message } from "../events";
import { TRACKER_RESTART_GAP_MS, TRACKER_RESTART_QUIET_EXTRA_MS } from "../limits";
import { watchTrackerSockets } from "../tracker-socket";
import type { TrackerWatch } from "../tracker-watch";
import type { Dispose, P2PContext } from "./context";

/**
 * True for a tracker-client warning that is about one peer, not the tracker:
 * bittorrent-tracker (lib/client/websocket-tracker.js) reports every WebRTC peer that
 * fails to connect as a warning "Connection error: …". Routine on real networks (NATs,
 * firewalls) and under load; it says nothing about the tracker's health.
 */
export function isPeerFailure(details: string): boolean {
  return details.startsWith("Connection error:");
}

export function installTrackerHealth(ctx: P2PContext): Dispose {
  const { opts, events } = ctx;
  let watch: TrackerWatch | undefined;
  /** A failure noticed before the watch was loaded, not yet followed by a connect. */
  let failed = false;
  const noteFailure = () => (watch ? watch.noteFailure() : (failed = true));
  const noteConnect = () => (watch ? watch.noteConnect() : (failed = false));
  loadExtra<typeof import("../tracker-watch")>("tracker-watch", opts.assets).then(
    (m) => {
      if (ctx.destroyed()) return;
      const w: TrackerWatch = (watch = new m.TrackerWatch({
        url: opts.tracker,
        onState: (state) => events.emit("tracker", { state }),
        restart: async () => {
          // Dropping P2P destroys the core's tracker clients (and their sockets); turning it
          // back on makes the next segment request build fresh ones that connect right away.
          w.quiet(TRACKER_RESTART_GAP_MS + TRACKER_RESTART_QUIET_EXTRA_MS);
          ctx.configure({ isP2PDisabled: true });
          ctx.counters.peers.clear();
          ctx.hooks.peersReset?.();
          await new Promise((r) => setTimeout(r, TRACKER_RESTART_GAP_MS));
          if (!ctx.destroyed()) ctx.configure({ isP2PDisabled: false });
        },
      }));
      if (failed) w.noteFailure();
    },
    (err: unknown) => ctx.fail({ type: "other", details: `tracker watch not loaded: ${message(err)}`, fatal: false }),
  );
  const trackerKey = opts.tracker.replace(/\/$/, "");
  const unwatch = watchTrackerSockets((url, notice) => {
    if (url.replace(/\/$/, "") !== trackerKey) return;
    if (notice === "close") noteFailure();
    else noteConnect();
  });
  ctx.on("onPeerConnect", noteConnect);
  const trouble = (err: unknown) => {
    const details = message(err);
    // Restarting the tracker clients for a peer's failure would abort the segment loads in
    // flight (it did, every few seconds, on a loaded machine).
    if (isPeerFailure(details)) return events.emit("error", { type: "other", details, fatal: false });
    events.emit("error", { type: "tracker", details, fatal: false });
    noteFailure();
  };
  ctx.on("onTrackerError", (d) => trouble(d.error));
  ctx.on("onTrackerWarning", (d) => trouble(d.warning));
  return () => {
    watch?.destroy();
    unwatch();
  };
}
