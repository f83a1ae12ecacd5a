// A virtual viewer: p2p-media-loader-core 2.3.1 running in Node over real WebRTC
// (node-datachannel), wired to the Core the way p2p-media-loader-hlsjs wires it to hls.js
// (setManifestResponseUrl, addStreamIfNoneExists, setIsLive, setActiveLevelBitrate,
// updateStream on every playlist load, loadSegment one fragment at a time,
// updatePlayback on every timeupdate), with the player model standing in for hls.js and
// the <video> element. Optional integrity path: validateP2PSegment against the
// #EXT-X-EDGESWARM-SHA256 tag, as the EdgeSwarm client does.
// It does not decode media, switch renditions, seek, or play alternate audio.
import { createHash } from "node:crypto";
import type { Core as CoreType, CoreConfig, Segment } from "p2p-media-loader-core";
import { loadCore } from "./node-globals.ts";
import { mergeTimeline, parseMasterPlaylist, parseMediaPlaylist, type MediaPlaylist, type TimedSegment, type Variant } from "./hls-playlist.ts";
import {
  advance,
  appendSegment,
  createPlayer,
  effectiveBufferSettings,
  finish,
  startPoint,
  wantsNextSegment,
  type BufferSettings,
  type PlayerOverrides,
  type PlayerState,
} from "./player-model.ts";
import { METER_TAG_HEADER } from "../metering-proxy.ts";
import { EdgeSeeder, SEED_MARGIN_S } from "../../client/seeder.ts";
import { ClaimPolicy } from "../../client/claim-policy.ts";
import { SegmentStore } from "../../client/segment-store.ts";
import { timedFetch } from "../../client/http-timing.ts";
import { windowPolicy, type WindowPolicy } from "../../client/scheduling/window-policy.ts";
import { streamIdBook } from "../../client/stream-ids.ts";

export interface ViewerOptions {
  /** Names the viewer in reports and tags its HTTP requests for the metering proxy. */
  id: string;
  /** Master playlist URL, normally through the metering proxy. */
  masterUrl: string;
  /** p2p-media-loader core config: stock defaults ({}) or a tuned one. */
  core: Partial<CoreConfig>;
  announceTrackers: string[];
  /** Check every P2P segment against the playlist's SHA-256 (the EdgeSwarm client does). */
  integrity: boolean;
  /**
   * Core windows for a stream's target duration, applied with applyDynamicConfig on the
   * first media playlist and whenever the target duration changes, before the buffer size
   * is derived from them. The client's own window policy (client/scheduling/window-policy.ts)
   * runs them, on the same events as in the page (plugins/scheduling.ts); without this
   * option the viewer keeps the core's windows, as a page that sets its own does.
   */
  windowsFor?: (targetDuration: number, live: boolean, slowestHttpS: number, joining: boolean) => Partial<CoreConfig>;
  /**
   * Edge seeding as the EdgeSwarm client does it (client/seeder.ts + segment-store.ts): on
   * every live playlist load, claim new segments with `?es_claim=<channel>`; the winner's
   * bytes go into the core's store and are announced to peers.
   */
  seed?: { channel: string };
  /** What the page set in hls.js (undefined fields: hls.js + p2p-media-loader-hlsjs decide). */
  player?: PlayerOverrides;
  rendition?: "highest" | "lowest" | number;
  /** VOD: where playback starts, seconds into the video (hls.js `startPosition`); default 0. */
  startPosition?: number;
  /** Playback rate (VOD can be played faster to shorten a run). */
  rate?: number;
  /** How often the playhead is advanced and reported (hls.js timeupdate ≈ 250 ms). */
  tickMs?: number;
}

export interface ViewerStats {
  id: string;
  startupMs: number | undefined;
  stalls: number;
  stallMs: number;
  /** Wall-clock ms at which each stall began (bounded). */
  stallLog: number[];
  /** Bytes of every segment (and init segment) handed to the player: the need. */
  neededBytes: number;
  bufferedSeconds: number;
  segmentsBuffered: number;
  /** As the Core saw them (the meter is the authority on HTTP bytes; this is for cross-checks). */
  httpBytesSeen: number;
  p2pBytes: number;
  uploadedBytes: number;
  peersConnected: number;
  peakPeers: number;
  integrityRejects: number;
  /** Segments handed to the player whose bytes do not match the playlist's SHA-256. */
  corruptPlayed: number;
  segmentErrors: number;
  liveJumps: number;
  /** Tracker errors/warnings and playlist reload failures, first 20. */
  problems: string[];
  bytesPerSecond: number; // of the rendition, from what was buffered
  /** Edge-seeding claims (granted/denied/fallback/failed), when seeding is on. */
  seed?: { granted: number; denied: number; handed: number; failed: number };
}

export class VirtualViewer {
  private core?: CoreType;
  private player?: PlayerState;
  private settings?: BufferSettings;
  private variant?: Variant;
  private playlist?: MediaPlaylist;
  private timeline = new Map<number, TimedSegment>();
  private nextSn?: number;
  private inflight = false;
  private timers: ReturnType<typeof setInterval>[] = [];
  private retryTimer?: ReturnType<typeof setTimeout>;
  private stopped = false;
  private readonly stats: ViewerStats;
  private peers = new Set<string>();
  /** Whether claiming helps the swarm now (client/claim-policy.ts, as the player runs it). */
  private readonly claims = new ClaimPolicy();
  private readonly rate: number;
  private store?: SegmentStore;
  private seeder?: EdgeSeeder;
  /** The client's window policy: the same module, fed the same events as in the page. */
  private readonly windows: WindowPolicy<Partial<CoreConfig>>;
  /** The core's swarm and stream ids, from its storage callbacks, as the page's seeder gets them. */
  private readonly ids = streamIdBook();

  constructor(private readonly opts: ViewerOptions) {
    this.rate = opts.rate ?? 1;
    this.windows = windowPolicy(!opts.windowsFor, opts.windowsFor);
    this.stats = {
      id: opts.id,
      startupMs: undefined,
      stalls: 0,
      stallMs: 0,
      stallLog: [],
      neededBytes: 0,
      bufferedSeconds: 0,
      segmentsBuffered: 0,
      httpBytesSeen: 0,
      p2pBytes: 0,
      uploadedBytes: 0,
      peersConnected: 0,
      peakPeers: 0,
      integrityRejects: 0,
      corruptPlayed: 0,
      segmentErrors: 0,
      liveJumps: 0,
      problems: [],
      bytesPerSecond: 0,
    };
  }

  async start(): Promise<void> {
    const { Core, generateStreamShortId } = await loadCore();
    const master = await this.fetchText(this.opts.masterUrl);
    const variants = parseMasterPlaylist(master.text, master.url);
    if (!variants.ok) throw new Error(`${this.opts.id}: master playlist: ${variants.reason}`);
    const sorted = [...variants.value].sort((a, b) => a.bandwidth - b.bandwidth);
    const r = this.opts.rendition ?? "highest";
    const variant = r === "highest" ? sorted.at(-1) : r === "lowest" ? sorted[0] : sorted[r];
    if (!variant) throw new Error(`${this.opts.id}: no rendition ${String(r)}`);
    this.variant = variant;

    if (this.opts.seed) {
      const store = new SegmentStore();
      store.onRequest = (swarmId, streamId, sn, type) => {
        if (type === "main") this.ids.onCoreRequest(swarmId, streamId, sn);
      };
      this.store = store;
      const tagged = timedFetch(
        this.windows.timing,
        () => this.applyWindows(this.windows.decide()),
        (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set(METER_TAG_HEADER, this.opts.id);
          return fetch(input, { ...init, headers });
        },
      );
      this.seeder = new EdgeSeeder(() => store, this.opts.seed.channel, {
        fetch: tagged,
        onHttpBytes: (n) => {
          this.stats.httpBytesSeen += n;
        },
        onStored: () => this.claims.onWin(nowS()),
        gate: () => this.claims.allowed(nowS()),
      });
    }
    const core = new Core(this.coreConfig());
    this.core = core;
    this.listen(core);
    core.setManifestResponseUrl(master.url);
    const shortId = generateStreamShortId({
      bitrate: variant.bandwidth,
      codecs: variant.videoCodec,
      width: variant.width,
      height: variant.height,
      frameRate: variant.frameRate,
      videoRange: variant.videoRange,
    });
    // As p2p-media-loader-hlsjs segment-manager.ts processMainManifest.
    core.addStreamIfNoneExists({
      runtimeId: variant.uri,
      type: "main",
      index: shortId,
    });
    core.setActiveLevelBitrate(variant.bandwidth);
    await this.loadMediaPlaylist();
    const pl = this.playlist;
    if (!pl) throw new Error(`${this.opts.id}: no media playlist`);
    const live = !pl.endList;
    const segs = [...this.timeline.values()];
    this.settings = effectiveBufferSettings(this.opts.player ?? {}, {
      highDemandTimeWindow: core.getConfig().mainStream.highDemandTimeWindow,
      targetDuration: pl.targetDuration,
      fragmentCount: segs.length,
      live,
    });
    const sp = startPoint(segs, live, pl.targetDuration, this.settings.liveSyncDurationCount, this.opts.startPosition);
    this.nextSn = segs[sp.index]?.sn;
    this.player = createPlayer(Date.now(), sp.position);
    if (pl.initUri) this.stats.neededBytes += (await this.fetchBytes(pl.initUri)).byteLength;

    const tickMs = this.opts.tickMs ?? 250;
    this.timers.push(setInterval(() => this.tick(), tickMs));
    if (live) {
      // hls.js reloads a live playlist about every target duration.
      this.timers.push(
        setInterval(() => {
          this.loadMediaPlaylist().catch((e: unknown) => this.problem(`playlist reload: ${String(e)}`));
        }, pl.targetDuration * 1000),
      );
    }
    this.requestNext();
  }

  private coreConfig(): Partial<CoreConfig> {
    const user = this.opts.core;
    const cfg: Partial<CoreConfig> = {
      ...user,
      // bittorrent-tracker keeps one socket per announce URL per process; a browser tab
      // has its own. A per-viewer query keeps each viewer on its own socket, as in a browser.
      announceTrackers: this.opts.announceTrackers.map((u) => `${u}${u.includes("?") ? "&" : "?"}viewer=${encodeURIComponent(this.opts.id)}`),
      // No STUN server is reachable here; host candidates on loopback connect.
      rtcConfig: { iceServers: [] },
      httpRequestSetup: async (segmentUrl, segmentByteRange, signal, requestByteRange) => {
        // As client/player.ts: a segment won by claim is handed over, not fetched again.
        const handover = await this.seeder?.handoverRequest(segmentUrl, signal, !!segmentByteRange || !!requestByteRange);
        if (handover) return handover;
        this.windows.onHttpStart(segmentUrl, performance.now());
        const base = await user.httpRequestSetup?.(segmentUrl, segmentByteRange, signal, requestByteRange);
        // Same request the core builds (http-loader.ts), plus the meter tag.
        const req =
          base ??
          new Request(segmentUrl, {
            headers: requestByteRange ? { Range: `bytes=${requestByteRange.start}-${requestByteRange.end ?? ""}` } : {},
            signal,
          });
        const headers = new Headers(req.headers);
        headers.set(METER_TAG_HEADER, this.opts.id);
        return new Request(req, { headers });
      },
    };
    const store = this.store;
    if (store) cfg.customSegmentStorageFactory = () => store;
    if (this.opts.integrity) {
      cfg.validateP2PSegment = async (url, byteRange, data) => {
        const ok = this.verify(url, byteRange, data);
        if (!ok) this.stats.integrityRejects++;
        return ok;
      };
    }
    return cfg;
  }

  /** A peer's bytes are accepted only if the playlist published their SHA-256 and it matches. */
  private verify(url: string, byteRange: { start: number; end: number } | undefined, data: ArrayBuffer): boolean {
    const seg = [...this.timeline.values()].find((s) => s.uri === url && s.byteRange?.start === byteRange?.start && s.byteRange?.end === byteRange?.end);
    if (!seg?.sha256) return false;
    return sha256Hex(data) === seg.sha256;
  }

  private listen(core: CoreType): void {
    core.addEventListener("onChunkDownloaded", (bytes, source) => {
      if (source !== "http") {
        this.stats.p2pBytes += bytes;
        return;
      }
      this.stats.httpBytesSeen += this.seeder ? this.seeder.originBytes(bytes) : bytes;
    });
    core.addEventListener("onChunkUploaded", (bytes) => {
      this.stats.uploadedBytes += bytes;
      this.store?.noteUploaded(bytes);
      this.claims.onUpload(bytes, nowS());
    });
    core.addEventListener("onPeerConnect", ({ peerId }) => {
      this.peers.add(peerId);
      this.claims.onPeers(this.peers.size);
      this.stats.peersConnected++;
      this.stats.peakPeers = Math.max(this.stats.peakPeers, this.peers.size);
    });
    core.addEventListener("onPeerClose", ({ peerId }) => {
      this.peers.delete(peerId);
      this.claims.onPeers(this.peers.size);
    });
    core.addEventListener("onSegmentError", () => {
      this.stats.segmentErrors++;
    });
    core.addEventListener("onSegmentLoaded", (d) => {
      this.applyWindows(this.windows.onSegmentLoaded(d.downloadSource, d.segmentUrl, performance.now()));
    });
    if (process.env.VIEWER_DEBUG) {
      const t0 = Date.now();
      core.addEventListener("onSegmentLoaded", (d) => {
        const seg = [...this.timeline.values()].find((x) => x.uri === d.segmentUrl);
        const lead = seg && this.player ? (seg.start - this.player.position).toFixed(1) : "?";
        console.error(`${this.opts.id} +${((Date.now() - t0) / 1000).toFixed(1)}s ${d.downloadSource} sn=${seg?.sn} lead=${lead} peers=${this.peers.size}`);
      });
    }
    core.addEventListener("onTrackerError", ({ error }) => this.problem(`tracker error: ${String(error)}`));
    core.addEventListener("onTrackerWarning", ({ warning }) => this.problem(`tracker warning: ${String(warning)}`));
  }

  private problem(msg: string): void {
    // Bounded: a broken tracker must not grow a report without limit.
    if (this.stats.problems.length < 20) this.stats.problems.push(msg);
  }

  private async loadMediaPlaylist(): Promise<void> {
    if (!this.variant || !this.core || this.stopped) return;
    const { text, url } = await this.fetchText(this.variant.uri);
    const parsed = parseMediaPlaylist(text, url);
    if (!parsed.ok) throw new Error(`${this.opts.id}: media playlist: ${parsed.reason}`);
    const pl = parsed.value;
    this.playlist = pl;
    this.applyWindows(this.windows.onLevel(pl.targetDuration, !pl.endList));
    const { timeline, added, removed } = mergeTimeline(this.timeline, pl);
    this.timeline = timeline;
    const live = !pl.endList;
    this.core.setIsLive(live);
    const toCore = (s: TimedSegment): Segment => ({
      runtimeId: runtimeIdOf(s),
      url: s.uri,
      // p2p-media-loader-hlsjs: externalId is the media sequence number for live, the
      // playlist index for VOD.
      externalId: live ? s.sn : s.sn - pl.mediaSequence,
      byteRange: s.byteRange,
      startTime: s.start,
      endTime: s.end,
    });
    if (added.length || removed.length) {
      this.core.updateStream(this.variant.uri, added.map(toCore), removed.map(runtimeIdOf));
    }
    const core = this.ids.idsOf(this.variant.uri);
    if (this.seeder && core && this.player) {
      this.seeder.onPlaylist(
        {
          ...core,
          streamType: "main",
          live,
          segments: [...this.timeline.values()]
            .filter((s) => !s.byteRange)
            .map((s) => ({ url: s.uri, externalId: s.sn, start: s.start, end: s.end, sha256: s.sha256 })),
          // hls.js asks for nothing beyond its buffer horizon, so claims there never race it.
          minLead: (this.settings?.maxBufferLength ?? 0) + SEED_MARGIN_S,
        },
        this.player.position,
      );
    }
    this.requestNext();
  }

  /** Windows the policy decided (undefined: unchanged), applied as plugins/scheduling.ts does. */
  private applyWindows(w: Partial<CoreConfig> | undefined): void {
    if (w) this.core?.applyDynamicConfig(w);
  }

  private tick(): void {
    if (!this.player || !this.core || this.stopped) return;
    advance(this.player, Date.now(), this.rate, this.endOfStream());
    this.core.updatePlayback(this.player.position, this.rate);
    this.requestNext();
  }

  private endOfStream(): number | undefined {
    return this.playlist?.endList ? [...this.timeline.values()].at(-1)?.end : undefined;
  }

  private requestNext(): void {
    const { player, settings, core } = this;
    if (!player || !settings || !core || this.stopped || this.inflight || this.retryTimer) return;
    if (this.nextSn === undefined || !wantsNextSegment(player, settings.maxBufferLength)) return;
    const firstSn = this.timeline.keys().next().value;
    if (firstSn !== undefined && this.nextSn < firstSn) {
      // Fell out of the live window (a long stall): hls.js jumps back to the live sync point.
      const segs = [...this.timeline.values()];
      const pl = this.playlist;
      if (!pl) return;
      const sp = startPoint(segs, true, pl.targetDuration, settings.liveSyncDurationCount);
      this.nextSn = segs[sp.index]?.sn;
      player.position = sp.position;
      player.bufferedEnd = Math.max(player.bufferedEnd, sp.position);
      this.stats.liveJumps++;
    }
    const seg = this.nextSn === undefined ? undefined : this.timeline.get(this.nextSn);
    if (!seg) return; // not published yet (live edge) or past the end (VOD)
    this.inflight = true;
    // As hls.js's FRAG_LOADING in the page: pairs this playlist with the core's ids (stream-ids.ts).
    if (this.variant) this.ids.onFragmentLoad(this.variant.uri, seg.sn);
    const onError = (e: unknown) => {
      this.inflight = false;
      this.stats.segmentErrors++;
      if (this.stopped) return;
      // hls.js retries a failed fragment after a back-off; 1 s keeps the model simple.
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.requestNext();
      }, 1000);
      if (process.env.VIEWER_DEBUG) console.error(this.opts.id, "segment error", e);
    };
    core
      .loadSegment(runtimeIdOf(seg), {
        onSuccess: ({ data }) => {
          this.inflight = false;
          if (this.stopped) return;
          this.stats.neededBytes += data.byteLength;
          // The product promise, checked at the player: whatever the source, no wrong bytes.
          if (this.opts.integrity && seg.sha256 && sha256Hex(data) !== seg.sha256) this.stats.corruptPlayed++;
          this.stats.segmentsBuffered++;
          appendSegment(player, seg, Date.now());
          this.nextSn = seg.sn + 1;
          this.requestNext();
        },
        onError,
      })
      .catch(onError);
  }

  /** Stops playback and leaves the swarm; returns the numbers. */
  stop(): ViewerStats {
    if (!this.stopped) {
      this.stopped = true;
      for (const t of this.timers) clearInterval(t);
      if (this.retryTimer) clearTimeout(this.retryTimer);
      if (this.player) finish(this.player, Date.now(), this.rate, this.endOfStream());
      this.seeder?.destroy();
      this.core?.destroy();
    }
    return this.snapshot();
  }

  snapshot(): ViewerStats {
    const p = this.player;
    const s = { ...this.stats, problems: [...this.stats.problems] };
    if (p) {
      s.startupMs = p.startupMs;
      s.stalls = p.stalls;
      s.stallLog = [...p.stallLog];
      s.stallMs = p.stallMs + (p.phase === "stalled" && p.stallSince !== undefined && !this.stopped ? Date.now() - p.stallSince : 0);
      s.bufferedSeconds = p.bufferedSeconds;
    }
    s.bytesPerSecond = s.bufferedSeconds > 0 ? s.neededBytes / s.bufferedSeconds : 0;
    if (this.seeder) {
      const { granted, denied, handed, failed } = this.seeder.counters;
      s.seed = { granted, denied, handed, failed };
    }
    return s;
  }

  private async fetchText(url: string): Promise<{ text: string; url: string }> {
    const r = await fetch(url, { headers: { [METER_TAG_HEADER]: this.opts.id } });
    const text = await r.text();
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${text.slice(0, 200)}`);
    return { text, url: r.url || url };
  }

  private async fetchBytes(url: string): Promise<ArrayBuffer> {
    const r = await fetch(url, { headers: { [METER_TAG_HEADER]: this.opts.id } });
    const b = await r.arrayBuffer();
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return b;
  }
}

const nowS = () => performance.now() / 1000;

function sha256Hex(data: ArrayBuffer): string {
  return createHash("sha256").update(new Uint8Array(data)).digest("hex");
}

/** p2p-media-loader-hlsjs utils.ts getSegmentRuntimeId. */
export function runtimeIdOf(s: { uri: string; byteRange?: { start: number; end: number } }): string {
  return s.byteRange ? `${s.uri}|${s.byteRange.start}-${s.byteRange.end}` : s.uri;
}
