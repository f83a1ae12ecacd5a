// The viewer page (/): picks a stream from the URL or the form, plays it through
// EdgeSwarm's own ESM build, and draws this viewer's live figures once a second: cards,
// uPlot charts, the segment-source timeline, and the peer table.
// It does not compute anything the client already counts: totals come from the client's
// stats(), and the pure helpers (rates, timeline, peers, query) do the arithmetic.
import { loadClient, startSession, type DemoSession, type TrackerState } from "./client-api";
import { timeChart, type TimeChart } from "./charts";
import { byId, h, setPill, setText } from "./dom";
import { formatBitrate, formatBytes, formatCount, formatPercent, offloadRatio, shortPeerId } from "./format";
import { PeerTable } from "./peers";
import { parseMaster, pickVariant, type Variant } from "./master";
import { foreignStreamMessage, qualityFromQuery, resolveStream, rtcConfigFromQuery, viewerLink } from "./query";
import { CounterRates, RollingSeries } from "./rates";
import { COLORS } from "./theme";
import { SegmentTimeline } from "./timeline";

const TICK_MS = 1000;
const WINDOW_POINTS = 180; // three minutes of one-second points per chart

const video = byId<HTMLVideoElement>("video");
const form = byId<HTMLFormElement>("stream-form");
const urlInput = byId<HTMLInputElement>("custom-url");
const qualitySelect = byId<HTMLSelectElement>("quality");
const formError = byId("form-error");
const trackerPill = byId("tracker-pill");
const playPill = byId("play-pill");

let session: DemoSession | null = null;
let streamUrl = ""; // what the user chose (usually a master playlist)
let playToken = 0; // a newer play() makes an older one's late results irrelevant
let refused: string | undefined; // set when the page's CSP refused the stream's origin
let peers = new PeerTable();
let timeline = new SegmentTimeline();
let rates = new CounterRates();
let traffic = new RollingSeries(["http", "p2p"], WINDOW_POINTS);
let offload = new RollingSeries(["offload"], WINDOW_POINTS);
let upload = new RollingSeries(["up"], WINDOW_POINTS);
let renderedSeq = -1;
// Per-peer bytes exist only if the client reports which peer sent/received what.
let peerBytesSeen = false;
let charts: { traffic: TimeChart; offload: TimeChart; upload: TimeChart } | null = null;

const rtc = rtcConfigFromQuery(new URLSearchParams(location.search));

function showError(msg: string): void {
  formError.textContent = msg;
}

function selectedPreset(): string {
  const checked = form.querySelector<HTMLInputElement>('input[name="preset"]:checked');
  return checked?.value ?? "live";
}

/** Reflects the chosen stream in the form, so what is checked is what plays. */
function syncForm(kind: "preset" | "custom", presetId: string, url: string): void {
  const value = kind === "preset" ? presetId : "custom";
  for (const r of form.querySelectorAll<HTMLInputElement>('input[name="preset"]')) r.checked = r.value === value;
  urlInput.disabled = value !== "custom";
  if (value === "custom") urlInput.value = url;
}

function setTracker(state: TrackerState, detail = ""): void {
  if (state === "connected") setPill(trackerPill, "ok", state, "Tracker connected");
  else if (state === "unreachable") setPill(trackerPill, "bad", state, "Tracker unreachable · playing over HTTP");
  else if (state === "off") setPill(trackerPill, "wait", state, "P2P off · playing over HTTP");
  else setPill(trackerPill, "wait", state, "Tracker: connecting");
  if (detail) trackerPill.title = detail;
}

function resetCounters(): void {
  peers = new PeerTable();
  timeline = new SegmentTimeline();
  rates = new CounterRates();
  traffic = new RollingSeries(["http", "p2p"], WINDOW_POINTS);
  offload = new RollingSeries(["offload"], WINDOW_POINTS);
  upload = new RollingSeries(["up"], WINDOW_POINTS);
  renderedSeq = -1;
  byId("timeline").replaceChildren();
}

/** Renditions of a master playlist, or none (media playlist, CORS refusal, bad reply). */
async function variantsOf(url: string): Promise<Variant[]> {
  try {
    const res = await fetch(url, { cache: "no-store" });
    if (!res.ok) return [];
    const parsed = parseMaster(await res.text(), res.url || url);
    return parsed.ok ? parsed.variants : [];
  } catch {
    return [];
  }
}

function fillQuality(variants: Variant[], chosen: Variant | undefined): void {
  const options = [h("option", { value: "auto" }, "Auto (adaptive)")];
  for (const v of variants) {
    options.push(h("option", { value: v.label }, `${v.label} · ${formatBitrate(v.bandwidth / 8)}`));
  }
  qualitySelect.replaceChildren(...options);
  qualitySelect.value = chosen ? chosen.label : "auto";
  qualitySelect.disabled = variants.length === 0;
}

async function play(url: string, quality: string): Promise<void> {
  const token = ++playToken;
  session?.destroy();
  session = null;
  resetCounters();
  streamUrl = url;
  refused = undefined;
  setTracker("connecting");
  setPill(playPill, "wait", "loading", "Player: loading");
  // A plain link (not window.open): popup blockers allow it, and middle-click/long-press work.
  byId<HTMLAnchorElement>("open-another").href = viewerLink(location.href, url, quality);
  if (rtc && "error" in rtc) {
    showError(rtc.error);
    return;
  }
  const [loaded, variants] = await Promise.all([
    loadClient().then(
      (client) => ({ ok: true as const, client }),
      (err: unknown) => ({ ok: false as const, why: err instanceof Error ? err.message : String(err) }),
    ),
    variantsOf(url),
  ]);
  if (token !== playToken) return;
  if (!loaded.ok) {
    showError(`Could not load the EdgeSwarm client (/edgeswarm.mjs): ${loaded.why}`);
    setPill(playPill, "bad", "error", "Player: client missing");
    return;
  }
  const chosen = pickVariant(variants, quality);
  if (quality !== "auto" && !chosen) showError(`This stream has no ${quality} rendition; playing all renditions (auto).`);
  fillQuality(variants, chosen);
  const playUrl = chosen ? chosen.url : url;
  setText(byId("now-playing"), playUrl);
  const now = () => performance.now();
  session = startSession(loaded.client, video, playUrl, rtc ? { rtcConfig: rtc } : {}, {
    segment: (e) => timeline.add(e.source, e.bytes, e.label),
    peerConnect: (id) => peers.connect(id, now()),
    peerClose: (id) => peers.disconnect(id, now()),
    peerBytes: (e) => {
      peerBytesSeen = true;
      if (e.direction === "down") peers.received(e.peerId, e.bytes, now());
      else peers.sent(e.peerId, e.bytes, now());
    },
    tracker: (state, detail) => setTracker(state, detail),
    error: (e) => {
      // The CSP's refusal says why; hls.js only sees a failed load (manifestLoadError).
      if (e.fatal) showError(refused ?? `Playback error: ${e.details || e.type}`);
    },
  });
}

function renderTimeline(): void {
  const host = byId("timeline");
  const cells = timeline.list();
  for (const c of cells) {
    if (c.seq <= renderedSeq) continue;
    const what = c.source === "p2p" ? "from a peer" : c.source === "http" ? "over HTTP" : "rejected (hash mismatch)";
    host.appendChild(h("span", { class: `cell cell-${c.source}`, title: `${c.label}: ${formatBytes(c.bytes)} ${what}` }));
    renderedSeq = c.seq;
  }
  // The model keeps a bounded window; drop DOM cells that fell out of it.
  while (host.childElementCount > cells.length) host.firstElementChild?.remove();
  setText(byId("timeline-summary"), timeline.summary());
}

function renderPeers(): void {
  const body = byId("peers-body");
  const rows = peers.list();
  if (rows.length === 0) {
    if (!body.querySelector("tr.empty")) {
      body.replaceChildren(h("tr", { class: "empty" }, h("td", { colspan: "4" }, "No peers yet. Open another viewer to form a swarm.")));
    }
    return;
  }
  body.replaceChildren(
    ...rows.map((r) =>
      h(
        "tr",
        {},
        h("td", {}, h("code", { title: r.id }, shortPeerId(r.id))),
        h("td", {}, h("span", { class: r.connected ? "tag tag-on" : "tag" }, r.connected ? "connected" : "left")),
        h("td", { class: "num" }, peerBytesSeen ? formatBytes(r.downloaded) : "–"),
        h("td", { class: "num" }, peerBytesSeen ? formatBytes(r.uploaded) : "–"),
      ),
    ),
  );
}

function tick(): void {
  if (!session) return;
  const st = session.stats();
  const at = performance.now();
  const wall = Date.now();
  const r = rates.sample(at, { http: st.httpBytes, p2p: st.p2pBytes, up: st.uploadedBytes });
  const ratio = offloadRatio(st.httpBytes, st.p2pBytes);
  if (r) {
    // Charts in Mbit/s-friendly bytes per second; x in wall-clock seconds for the time axis.
    traffic.push(wall, { http: r.http ?? 0, p2p: r.p2p ?? 0 });
    upload.push(wall, { up: r.up ?? 0 });
  }
  if (ratio !== null) offload.push(wall, { offload: ratio * 100 });

  setText(byId("stat-p2p"), formatBytes(st.p2pBytes), st.p2pBytes);
  setText(byId("stat-http"), formatBytes(st.httpBytes), st.httpBytes);
  setText(byId("stat-upload"), formatBytes(st.uploadedBytes), st.uploadedBytes);
  setText(byId("stat-offload"), formatPercent(ratio), ratio === null ? "" : ratio.toFixed(4));
  const peerCount = Math.max(st.peers, peers.connectedCount());
  setText(byId("stat-peers"), formatCount(peerCount), peerCount);
  setText(byId("stat-p2p-rate"), r ? formatBitrate(r.p2p ?? 0) : "–");
  setText(byId("stat-http-rate"), r ? formatBitrate(r.http ?? 0) : "–");
  setText(byId("stat-upload-rate"), r ? formatBitrate(r.up ?? 0) : "–");
  const rejected = Object.entries(st.errors)
    .filter(([k]) => k.startsWith("p2p-hash"))
    .reduce((a, [, v]) => a + v, 0);
  setText(byId("stat-rejected"), formatCount(rejected), rejected);
  const seg = timeline.counts();
  const fromPeers = seg.p2p + seg.rejected;
  // Transfers a peer started but did not finish (timeout, peer gone): the segment then came
  // over HTTP. Shown because "peers connected, 0 B from peers" otherwise has no explanation.
  const failed = st.errors["p2p-failed"] ?? 0;
  const failedText = failed > 0 ? ` · ${formatCount(failed)} peer transfer${failed === 1 ? "" : "s"} failed` : "";
  setText(byId("stat-segments"), (fromPeers > 0 ? `of ${formatCount(fromPeers)} segments peers sent` : "peer segments failing SHA-256") + failedText);

  setText(
    byId("summary-traffic"),
    r
      ? `Now: peers ${formatBitrate(r.p2p ?? 0)}, HTTP ${formatBitrate(r.http ?? 0)}. Total: ${formatBytes(st.p2pBytes)} from peers, ${formatBytes(st.httpBytes)} over HTTP.`
      : "Waiting for data.",
  );
  setText(byId("summary-offload"), ratio === null ? "Nothing downloaded yet." : `${formatPercent(ratio)} of this viewer's bytes came from peers.`);
  setText(
    byId("summary-upload"),
    `Uploaded ${formatBytes(st.uploadedBytes)} to ${formatCount(peerCount)} connected peer${peerCount === 1 ? "" : "s"}${r ? `, now ${formatBitrate(r.up ?? 0)}` : ""}.`,
  );

  if (charts) {
    charts.traffic.update(traffic.data());
    charts.offload.update(offload.data());
    charts.upload.update(upload.data());
  }
  renderTimeline();
  renderPeers();
}

function initCharts(): void {
  const win = { windowSeconds: (WINDOW_POINTS * TICK_MS) / 1000 };
  charts = {
    traffic: timeChart(
      byId("chart-traffic"),
      [
        { label: "Peers", color: COLORS.p2p, fill: true },
        { label: "HTTP", color: COLORS.http, fill: true },
      ],
      formatBitrate,
      win,
    ),
    offload: timeChart(byId("chart-offload"), [{ label: "Offload", color: COLORS.offload, fill: true }], (v) => `${Math.round(v)}%`, { ...win, yMax: 100 }),
    upload: timeChart(byId("chart-upload"), [{ label: "Upload", color: COLORS.upload, fill: true }], formatBitrate, win),
  };
  // Series order in RollingSeries is [http, p2p]; the traffic chart lists peers first so its
  // legend leads with the number that matters. Swap columns on the way in.
  const t = charts.traffic;
  charts.traffic = { update: (d) => t.update([d[0], d[2] ?? [], d[1] ?? []]), destroy: () => t.destroy() };
}

function wirePlayerPill(): void {
  const set = (tone: "ok" | "wait" | "bad", state: string, text: string) => setPill(playPill, tone, state, text);
  video.addEventListener("playing", () => set("ok", "playing", "Player: playing"));
  video.addEventListener("waiting", () => set("wait", "buffering", "Player: buffering"));
  video.addEventListener("pause", () => {
    if (!video.ended) set("wait", "paused", "Player: paused");
  });
  video.addEventListener("ended", () => set("wait", "ended", "Player: ended"));
  video.addEventListener("error", () => set("bad", "error", "Player: error"));
}

function wireForm(): void {
  for (const r of form.querySelectorAll<HTMLInputElement>('input[name="preset"]')) {
    r.addEventListener("change", () => {
      urlInput.disabled = selectedPreset() !== "custom";
      if (!urlInput.disabled) urlInput.focus();
    });
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    showError("");
    const preset = selectedPreset();
    const choice = resolveStream(preset === "custom" ? urlInput.value : preset, location.origin);
    if (!choice.ok) {
      showError(choice.reason);
      urlInput.focus();
      return;
    }
    // The URL carries the stream, so a reload or a shared link plays the same thing.
    const q = qualitySelect.disabled ? "auto" : qualitySelect.value;
    history.replaceState(null, "", viewerLink(location.href, choice.url, q));
    void play(choice.url, q);
  });
  qualitySelect.addEventListener("change", () => {
    if (!streamUrl) return;
    showError("");
    const q = qualitySelect.value;
    history.replaceState(null, "", viewerLink(location.href, streamUrl, q));
    void play(streamUrl, q);
  });
}

/**
 * A stream on another origin not in ALLOWED_ORIGINS is refused by the page's CSP
 * (connect-src): say so, instead of leaving the viewer with a network error.
 */
function watchRefusedStreams(): void {
  document.addEventListener("securitypolicyviolation", (e) => {
    if (e.effectiveDirective !== "connect-src") return;
    const msg = foreignStreamMessage(e.blockedURI, streamUrl, location.origin);
    if (!msg) return;
    refused = msg;
    showError(msg);
    setPill(playPill, "bad", "refused", "Player: stream refused");
  });
}

function main(): void {
  watchRefusedStreams();
  wirePlayerPill();
  wireForm();
  initCharts();
  const params = new URLSearchParams(location.search);
  const q = qualityFromQuery(params);
  const quality = typeof q === "string" ? q : "auto";
  if (typeof q !== "string") showError(q.error);
  const choice = resolveStream(params.get("src"), location.origin);
  if (!choice.ok) {
    showError(`${choice.reason} Playing the live channel instead.`);
    const fallback = resolveStream("live", location.origin);
    if (fallback.ok) {
      syncForm("preset", "live", fallback.url);
      void play(fallback.url, "auto");
    }
  } else {
    syncForm(choice.kind, choice.kind === "preset" ? choice.preset.id : "custom", choice.url);
    void play(choice.url, quality);
  }
  setInterval(tick, TICK_MS);
}

main();
