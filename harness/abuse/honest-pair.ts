// Two honest viewers of one channel, measured while something else (a flood) goes on: Node
// virtual viewers (p2p-media-loader-core over real node-datachannel WebRTC, the EdgeSwarm core
// config, SHA-256 check of every peer segment, edge seeding) join 2 s apart, play for a while,
// and post their counters to /api/report every REPORT_INTERVAL_MS as the client does; while
// peerless they announce again as the client does (peerless-reannounce.ts). Their
// HTTP goes through a metering proxy (bytes per viewer), their tracker socket through the
// tracker tap (announce round trips, their peer_ids). At the end /api/stats for the channel
// must show them. It never sets CF-Connecting-IP: the Worker sees them as the loopback client.
// Reports carry `peers` as the most the viewer had at once (the virtual viewer exposes no
// current count); every other figure is what its core counted. It does not flood anything.
import { randomBytes } from "node:crypto";
import { VirtualViewer, type ViewerStats } from "../virtual-viewer/viewer.ts";
import type { MeteringProxy } from "../metering-proxy.ts";
import type { TrackerTap } from "./tracker-tap.ts";
import { installPeerlessReannounce } from "./peerless-reannounce.ts";
import { buildVariant } from "../../bench/swarm/variants.ts";
import { REPORT_INTERVAL_MS } from "../../shared/limits.ts";
import { emptyErrors, REPORT_VERSION, type Report, type StatsReply } from "../../shared/stats-report.ts";

export const LIVE_MASTER = "/live/loop/master.m3u8";

export interface PairOptions {
  /** http:// base URL of the Worker (reports and stats go straight to it). */
  workerUrl: string;
  /** The metering proxy in front of the Worker (the viewers' HTTP). */
  meter: MeteringProxy;
  tap: TrackerTap;
  /** Tracker channel, claim room and report stream name of this pair. */
  channel: string;
  /** Names the viewers (meter tags, tap ids): `${prefix}-a`, `${prefix}-b`. */
  prefix: string;
  joinGapMs: number;
  /** How long both play after the second joined. */
  watchMs: number;
}

export interface HonestViewer {
  id: string;
  stats: ViewerStats;
  /** Segment body bytes the origin sent this viewer (metered). */
  httpSegmentBytes: number;
  /** Announce round trips seen at the tap, ms. */
  rttMs: number[];
  /** Tracker failure frames it got. */
  failures: string[];
  infoHash?: string;
  peerId?: string;
  /** Status of every report it posted, in order. */
  reportStatuses: number[];
  /** The figures of its last accepted report. */
  lastAccepted?: Report;
  /** Status and body of its first refused reports. */
  reportRefusals: string[];
  /** Offers the tracker relayed to it. */
  offersIn: number;
}

export interface PairResult {
  viewers: HonestViewer[];
  /** /api/stats for the channel after the last reports. */
  stream?: { viewers: number; p2pBytes: number; httpBytes: number };
}

function viewerId(): string {
  return randomBytes(12).toString("base64url");
}

class ReportLoop {
  readonly statuses: number[] = [];
  /** Status and body of the first refused reports. */
  readonly refusals: string[] = [];
  lastAccepted?: Report;
  private readonly viewer = viewerId();
  private timer?: ReturnType<typeof setInterval>;
  private sending?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly stream: string,
    private readonly read: () => { stats: ViewerStats; peer?: string },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.send(), REPORT_INTERVAL_MS);
  }

  async send(): Promise<void> {
    await this.sending;
    this.sending = this.post();
    await this.sending;
  }

  private async post(): Promise<void> {
    const { stats, peer } = this.read();
    const report: Report = {
      v: REPORT_VERSION,
      stream: this.stream,
      viewer: this.viewer,
      http: stats.httpBytesSeen,
      p2p: stats.p2pBytes,
      up: stats.uploadedBytes,
      peers: stats.peakPeers,
      errors: emptyErrors(),
    };
    if (peer?.length === 20) report.peer = peer;
    try {
      const r = await fetch(`${this.url}/api/report`, { method: "POST", body: JSON.stringify(report), headers: { "content-type": "text/plain" } });
      const body = await r.text();
      this.statuses.push(r.status);
      if (r.ok) this.lastAccepted = report;
      else if (this.refusals.length < 5) this.refusals.push(`${r.status} ${body.slice(0, 160)}`);
    } catch (e) {
      this.statuses.push(0);
      if (this.refusals.length < 5) this.refusals.push(`no answer: ${String(e)}`);
    }
  }

  /**
   * The last totals, sent until accepted as the client's loop would while its page is open: a
   * refusal other than 409/422 is retried after REPORT_INTERVAL_MS × 2^failures (client/reporter.ts),
   * here at most twice. Every refusal stays in `statuses`.
   */
  async final(): Promise<void> {
    for (let failures = 0; ; failures++) {
      await this.send();
      const last = this.statuses.at(-1) ?? 0;
      if ((last >= 200 && last < 300) || last === 409 || last === 422 || failures >= 2) return;
      await new Promise((r) => setTimeout(r, REPORT_INTERVAL_MS * 2 ** (failures + 1)));
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Plays the pair for joinGapMs + watchMs and returns what each saw; the caller runs the flood. */
export async function runHonestPair(o: PairOptions): Promise<PairResult> {
  installPeerlessReannounce();
  const spec = buildVariant("edgeswarm", o.channel);
  const ids = [`${o.prefix}-a`, `${o.prefix}-b`];
  const viewers: VirtualViewer[] = [];
  const loops: ReportLoop[] = [];
  const peerOf = (id: string) => [...o.tap.viewer(id).peers.values()][0];
  let stats: ViewerStats[] = [];
  try {
    for (const [i, id] of ids.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, o.joinGapMs));
      const v = new VirtualViewer({
        id,
        masterUrl: `${o.meter.url}${LIVE_MASTER}`,
        core: spec.core,
        announceTrackers: [`${o.tap.url}/announce/${o.channel}`],
        integrity: true,
        player: spec.player,
        windowsFor: spec.windowsFor,
        seed: spec.seed,
      });
      viewers.push(v);
      await v.start();
      const loop = new ReportLoop(o.workerUrl, o.channel, () => ({ stats: v.snapshot(), peer: peerOf(id) }));
      loop.start();
      loops.push(loop);
    }
    await new Promise((r) => setTimeout(r, o.watchMs));
  } finally {
    for (const l of loops) l.stop();
    stats = viewers.map((v) => v.stop());
  }
  // One last report each with the final totals (retried as the client retries; see final()).
  await Promise.all(loops.map((l) => l.final()));
  const snap = o.meter.snapshot();
  const result: PairResult = {
    viewers: ids.slice(0, stats.length).map((id, i) => {
      const tap = o.tap.viewer(id);
      const [infoHash, peerId] = [...tap.peers.entries()][0] ?? [];
      return {
        id,
        stats: stats[i]!,
        httpSegmentBytes: snap.byTag[id]?.segment.bytes ?? 0,
        rttMs: [...tap.rttMs],
        failures: [...tap.failures],
        infoHash,
        peerId,
        reportStatuses: [...(loops[i]?.statuses ?? [])],
        lastAccepted: loops[i]?.lastAccepted,
        reportRefusals: [...(loops[i]?.refusals ?? [])],
        offersIn: tap.offersIn,
      };
    }),
  };
  const r = await fetch(`${o.workerUrl}/api/stats?stream=${encodeURIComponent(o.channel)}`);
  if (r.ok) {
    const s = ((await r.json()) as StatsReply).streams.find((x) => x.stream === o.channel);
    if (s) result.stream = { viewers: s.viewers, p2pBytes: s.p2pBytes, httpBytes: s.httpBytes };
  }
  return result;
}

/** Whether /api/stats counts exactly the pair's accepted reports (no flood row in them). */
export function reportsCounted(p: PairResult): boolean {
  const accepted = p.viewers.map((v) => v.lastAccepted).filter((x) => x !== undefined);
  if (!p.stream || accepted.length !== p.viewers.length) return false;
  const p2p = accepted.reduce((a, r) => a + r.p2p, 0);
  return p.stream.viewers === accepted.length && p.stream.p2pBytes === p2p;
}

/** Nearest-rank percentile (q in 0..1) of `xs`; undefined when empty. */
export function percentile(xs: readonly number[], q: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
