// Brings P2P back after the tracker failed. bittorrent-tracker reconnects after 10 s plus up
// to 5 min of jitter, doubling each time, and emits nothing when a socket simply closes. This
// watches for failures (tracker errors/warnings and socket closes), probes the tracker with a
// bare WebSocket on a short back-off, and once it answers asks the engine to restart its
// tracker clients. Playback never waits on any of this: segments keep coming over HTTP.
// Not in the bundle: an extra (extras.ts) that plugins/tracker-health.ts loads at attach.
import { TRACKER_PROBE_MAX_MS, TRACKER_PROBE_MIN_MS, TRACKER_PROBE_TIMEOUT_MS, TRACKER_STABLE_MS } from "./limits";

export type TrackerState = "up" | "down";

export interface TrackerWatchDeps {
  url: string;
  /** Tears down and recreates the P2P tracker clients; resolves when the new ones started. */
  restart: () => Promise<void>;
  onState: (s: TrackerState) => void;
  /** Opens a probe socket; resolves true if it opened. Injected so the schedule is testable. */
  probe?: (url: string) => Promise<boolean>;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

/** Next probe delay: doubles from the minimum up to the ceiling. */
export function nextDelay(attempt: number): number {
  return Math.min(TRACKER_PROBE_MAX_MS, TRACKER_PROBE_MIN_MS * 2 ** Math.max(0, attempt));
}

export function wsProbe(url: string, timeoutMs = TRACKER_PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    let ws: WebSocket;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        ws.close(1000);
      } catch {
        /* already closed */
      }
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    try {
      ws = new WebSocket(url);
    } catch {
      clearTimeout(timer);
      resolve(false);
      return;
    }
    ws.onopen = () => finish(true);
    ws.onerror = () => finish(false);
    ws.onclose = () => finish(false);
  });
}

export class TrackerWatch {
  private state: TrackerState = "up";
  private attempt = 0;
  private timer: unknown;
  private busy = false;
  private destroyed = false;
  /** Closes we caused (restart) are not failures. */
  private quietUntil = 0;
  private upSince = 0;

  constructor(private readonly deps: TrackerWatchDeps) {}

  /** The tracker client reported an error, a refusal, or its socket closed. */
  noteFailure(): void {
    if (this.destroyed || Date.now() < this.quietUntil) return;
    // The back-off only starts over after a stable minute, so a tracker that accepts sockets
    // and then refuses announces is probed less and less often, not every few seconds.
    if (this.state === "up" && Date.now() - this.upSince > TRACKER_STABLE_MS) this.attempt = 0;
    if (this.state === "up") {
      this.state = "down";
      this.deps.onState("down");
    }
    this.schedule();
  }

  /** A tracker socket opened (ours or bittorrent-tracker's own reconnect). */
  noteConnect(): void {
    if (this.destroyed || this.state === "up") return;
    this.markUp();
  }

  /** Ignore failures for a while (we are closing sockets on purpose). */
  quiet(ms: number): void {
    this.quietUntil = Date.now() + ms;
  }

  destroy(): void {
    this.destroyed = true;
    if (this.timer !== undefined) (this.deps.clearTimer ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
  }

  private markUp(): void {
    this.state = "up";
    this.upSince = Date.now();
    this.deps.onState("up");
  }

  private schedule(): void {
    if (this.timer !== undefined || this.busy || this.destroyed) return;
    const ms = nextDelay(this.attempt);
    this.timer = (this.deps.setTimer ?? setTimeout)(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.destroyed || this.state === "up") return;
    this.busy = true;
    try {
      const ok = await (this.deps.probe ?? wsProbe)(this.deps.url);
      if (this.destroyed) return;
      this.attempt++;
      if (!ok) return;
      await this.deps.restart();
      if (this.destroyed) return;
      // Stay "down" until a tracker socket actually connects (noteConnect).
    } catch {
      this.attempt++;
    } finally {
      this.busy = false;
      if (!this.destroyed && this.state === "down") this.schedule();
    }
  }
}
