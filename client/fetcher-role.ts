// The viewer's side of fetcher roles (issue 13; the shard's side is worker/tracker/roles.ts):
// every report period it tells the tracker shard, on the tracker socket, what it delivered to
// its peers (es_report: upload rate over the last minute, sending rate while it sent, peers,
// segment size and duration, the time a new segment has before this viewer falls back to
// HTTP), and it applies the role the shard answers (es_role "roles": the segment classes it
// fetches as soon as they are published, seeder.ts `role`; none: it never asks the edge).
// Until then, and while the shard says "claims", the seeder claims at the edge, so an older
// Worker or a stock tracker changes nothing.
// An extra (extras.ts), loaded at attach: nothing here is needed before the first report.
// Everything stateful it touches is handed in (the context, the seeder, the socket hooks): an
// extra is a separate bundle, so it must not import the main bundle's state.
import { windowsFor } from "./scheduling/window-policy";
import type { TrackerSocket } from "./tracker-socket";
import { APPLY_FETCHER_ROLES, MIN_SEND_MS, REPORT_FIRST_MS, REPORT_WINDOW_S, VIEWER_REPORT_DEFAULT_S } from "./limits";

/** What the role needs of the player (plugins/context.ts P2PContext, narrowed for tests). */
export interface RoleContext {
  readonly hls: { latency: number; currentLevel: number; levels: readonly { details?: { targetduration: number } }[] };
  readonly counters: { peers: ReadonlySet<string> };
  on(type: "onSegmentLoaded", fn: (e: { bytesLength: number }) => void): void;
  now(): number;
}

/** The main bundle's tracker-socket hooks (tracker-socket.ts frameHooks). */
export interface FrameHooks {
  incoming?: (socket: TrackerSocket, text: string) => void;
  outgoing?: (socket: TrackerSocket, text: string) => void;
}

/**
 * A report's figures from the last minute of whole-segment uploads (segment-store.ts times
 * each from the core's request for the bytes to the last chunk written): bytes delivered per
 * second of the minute, and per second of sending. Timing whole segments measures the link,
 * not the demand: a fast viewer asked for little still shows its speed, a slow one its
 * slowness, whatever the gaps between uploads.
 */
export class UploadMeter {
  private readonly done: { at: number; bytes: number; ms: number }[] = [];
  constructor(private readonly started: number) {}

  add(bytes: number, ms: number, now: number): void {
    this.done.push({ at: now, bytes, ms: Math.max(MIN_SEND_MS, ms) });
  }

  /** Bytes/s over the last minute, and bytes per second of sending (null under `minBytes`). */
  read(now: number, minBytes: number): { up: number; rate: number | null } {
    const from = now - REPORT_WINDOW_S * 1000;
    while (this.done.length > 0 && this.done[0]!.at < from) this.done.shift();
    let bytes = 0;
    let ms = 0;
    for (const d of this.done) {
      bytes += d.bytes;
      ms += d.ms;
    }
    const span = Math.min(REPORT_WINDOW_S, Math.max(1, (now - this.started) / 1000));
    return { up: bytes / span, rate: bytes >= minBytes && ms > 0 ? bytes / (ms / 1000) : null };
  }
}

export function installFetcherRole(
  ctx: RoleContext,
  seeder: { role: ((externalId: number) => boolean) | undefined },
  frames: FrameHooks,
  /** Act on "roles" frames (APPLY_FETCHER_ROLES); off: report only, keep claiming. */
  apply = APPLY_FETCHER_ROLES,
): { onTransfer(bytes: number, ms: number): void; dispose(): void } {
  const targetDuration = () => ctx.hls.levels[ctx.hls.currentLevel]?.details?.targetduration;
  // Seconds from a segment's publication to this viewer's HTTP fallback for it: its distance
  // from the live edge less the core's high-demand window (window-policy.ts).
  const budget = () => (ctx.hls.latency || 0) - windowsFor(targetDuration() ?? 0, true).highDemandTimeWindow;
  let peers = 0;
  /** Swarms this page announced in, per tracker socket: info_hash → peer_id. */
  const swarms = new Map<TrackerSocket, Map<string, string>>();
  const meter = new UploadMeter(ctx.now());
  let segBytes = 0;
  let periodMs = VIEWER_REPORT_DEFAULT_S * 1000;
  let stopped = false;

  // A running mean of segment sizes (one segment's weight: 1/8).
  ctx.on("onSegmentLoaded", (e) => (segBytes = segBytes === 0 ? e.bytesLength : segBytes + (e.bytesLength - segBytes) / 8));

  frames.outgoing = (socket, text) => {
    if (!text.includes('"announce"') || text.includes('"answer"')) return;
    let f: { info_hash?: unknown; peer_id?: unknown; event?: unknown };
    try {
      f = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof f.info_hash !== "string" || typeof f.peer_id !== "string") return;
    let mine = swarms.get(socket);
    if (!mine) swarms.set(socket, (mine = new Map()));
    if (f.event === "stopped") mine.delete(f.info_hash);
    else mine.set(f.info_hash, f.peer_id);
  };
  frames.incoming = (_socket, text) => {
    let f: { action?: unknown; mode?: unknown; classes?: unknown; of?: unknown; report_s?: unknown };
    try {
      f = JSON.parse(text);
    } catch {
      return;
    }
    if (f.action !== "es_role") return;
    if (typeof f.report_s === "number" && f.report_s >= 1 && f.report_s <= 600) periodMs = f.report_s * 1000;
    // "claims": the swarm has no proven viewer yet; claim at the edge as without roles.
    if (f.mode === "claims") seeder.role = undefined;
    if (!apply || f.mode !== "roles" || !Array.isArray(f.classes) || typeof f.of !== "number" || !(f.of > 0)) return;
    const of = f.of;
    const classes = new Set(f.classes.filter((c): c is number => Number.isInteger(c)));
    // The latest role for any of this page's swarms: a page plays one stream at a time.
    seeder.role = (id) => classes.has(((id % of) + of) % of);
  };

  const report = () => {
    const td = targetDuration();
    // Peers in the main stream's swarm (stats.ts keys them "main:<id>").
    peers = 0;
    for (const k of ctx.counters.peers) if (k.startsWith("main:")) peers++;
    if (stopped || !td || segBytes <= 0) return;
    const { up, rate } = meter.read(ctx.now(), segBytes);
    const fields = {
      up: Math.round(up),
      rate: rate === null ? null : Math.round(rate),
      peers: Math.min(200, peers),
      seg_bytes: Math.max(1, Math.round(segBytes)),
      seg_s: td,
      budget_s: Math.max(0.5, budget()),
    };
    for (const [socket, mine] of swarms) {
      for (const [info_hash, peer_id] of mine) {
        try {
          socket.send(JSON.stringify({ action: "es_report", info_hash, peer_id, ...fields }));
        } catch {
          // A closing socket: the next period finds the new one.
        }
      }
    }
  };
  let timer: ReturnType<typeof setTimeout>;
  const tick = () => {
    report();
    timer = setTimeout(tick, periodMs);
  };
  timer = setTimeout(tick, REPORT_FIRST_MS);

  return {
    onTransfer: (bytes, ms) => meter.add(bytes, ms, ctx.now()),
    dispose() {
      stopped = true;
      clearTimeout(timer);
      frames.incoming = undefined;
      frames.outgoing = undefined;
      seeder.role = undefined;
    },
  };
}
