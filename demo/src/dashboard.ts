// The dashboard page (/dashboard): polls GET /api/stats and GET /api/tracker/stats every
// few seconds, derives rates from successive snapshots (dashboard-model.ts), and renders
// cards, the per-stream table, two uPlot charts and the tracker message table.
// Either endpoint may fail on its own; the page then says which one in its status pills
// and keeps showing the other. It never writes anything to the Worker.
import { getJson, parseStats, parseTrackerStats } from "./api";
import { timeChart } from "./charts";
import { dashboardView, MESSAGE_LABELS, type Poll, type StreamRow } from "./dashboard-model";
import { byId, h, setPill, setText } from "./dom";
import { formatBitrate, formatBytes, formatCount, formatPercent, formatRate } from "./format";
import { RollingSeries } from "./rates";
import { COLORS } from "./theme";

const POLL_MS = 3000;
const TIMEOUT_MS = 2500; // shorter than the poll, so polls never pile up
const WINDOW_POINTS = 120; // six minutes at one point per poll

const delivery = new RollingSeries(["p2p", "http"], WINDOW_POINTS);
const trackerSeries = new RollingSeries(["messages"], WINDOW_POINTS);
const deliveryChart = timeChart(
  byId("chart-delivery"),
  [
    { label: "Peers", color: COLORS.p2p, fill: true },
    { label: "HTTP", color: COLORS.http, fill: true },
  ],
  formatBitrate,
  { windowSeconds: (WINDOW_POINTS * POLL_MS) / 1000 },
);
const trackerChart = timeChart(byId("chart-tracker"), [{ label: "Messages", color: COLORS.upload, fill: true }], formatRate, {
  windowSeconds: (WINDOW_POINTS * POLL_MS) / 1000,
});

// The admin token (the Worker's ADMIN_TOKEN, when set): asked for once, kept for the tab's
// session only (sessionStorage), sent on both read-outs.
const TOKEN_KEY = "edgeswarm-admin-token";
const adminToken = (): string | undefined => sessionStorage.getItem(TOKEN_KEY) ?? undefined;

function askForToken(show: boolean): void {
  byId("admin-form").hidden = !show;
}

byId<HTMLFormElement>("admin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const value = byId<HTMLInputElement>("admin-token").value.trim();
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
  void poll();
});

let prev: Poll | null = null;
let lastOk = 0;

function splitBar(row: StreamRow): HTMLElement {
  const total = row.httpBytes + row.p2pBytes;
  const p2p = total > 0 ? (row.p2pBytes / total) * 100 : 0;
  const bar = h("span", { class: "split", role: "img", "aria-label": total > 0 ? `${Math.round(p2p)}% from peers` : "no bytes yet" });
  if (total > 0) {
    // element.style (CSSOM), not a style attribute: the page's CSP allows no inline styles.
    const part = (cls: string, pct: number) => {
      const el = h("span", { class: cls });
      el.style.width = `${pct.toFixed(1)}%`;
      return el;
    };
    bar.appendChild(part("p2p", p2p));
    bar.appendChild(part("http", 100 - p2p));
  }
  return bar;
}

function cell(field: string, text: string, raw: number | string, cls = "num"): HTMLTableCellElement {
  return h("td", { class: cls, "data-field": field, "data-value": String(raw) }, text);
}

function renderRows(rows: StreamRow[]): void {
  const body = byId("streams-body");
  if (rows.length === 0) {
    body.replaceChildren(
      h("tr", { class: "empty" }, h("td", { colspan: "11" }, h("span", {}, "No streams yet. Open a viewer and it will appear here within a few seconds."))),
    );
    return;
  }
  body.replaceChildren(
    ...rows.map((r) =>
      h(
        "tr",
        { "data-stream": r.stream },
        h(
          "th",
          { scope: "row" },
          streamPath(r.stream) ? h("a", { href: `/?src=${encodeURIComponent(streamPath(r.stream)!)}`, title: "Watch this stream" }, r.stream) : r.stream,
        ),
        cell("viewers", formatCount(r.viewers), r.viewers),
        cell("tracker-peers", r.trackerPeers === null ? "–" : formatCount(r.trackerPeers), r.trackerPeers ?? ""),
        cell("p2p", formatBytes(r.p2pBytes), r.p2pBytes),
        cell("http", formatBytes(r.httpBytes), r.httpBytes),
        h("td", {}, splitBar(r)),
        cell("offload", formatPercent(r.offload), r.offload ?? ""),
        cell("saved", formatBytes(r.bytesSaved), r.bytesSaved),
        cell("uploaded", formatBytes(r.uploadedBytes), r.uploadedBytes),
        cell("rejected", formatCount(r.rejected), r.rejected),
        cell("tracker-rate", r.trackerRate === null ? "–" : formatRate(r.trackerRate), r.trackerRate ?? ""),
      ),
    ),
  );
}

/**
 * Where a stream named in reports plays, when that is certain. A report names a channel
 * only: "x" may be VOD (/streams/x/), live (/live/x/) or a hash of a foreign URL, so only
 * the built-ins get a link rather than a guess that 404s.
 */
function streamPath(name: string): string | undefined {
  if (name === "loop") return "/live/loop/master.m3u8";
  if (name === "sample" || name === "film") return `/streams/${name}/master.m3u8`;
  return undefined;
}

function renderMessages(totals: Record<string, number>, rates: Record<string, number> | null): void {
  const body = byId("messages-body");
  const keys = Object.keys(totals).filter((k) => totals[k]! > 0 || (rates?.[k] ?? 0) > 0);
  if (keys.length === 0) {
    body.replaceChildren(h("tr", { class: "empty" }, h("td", { colspan: "3" }, "No tracker messages yet.")));
    return;
  }
  keys.sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0));
  body.replaceChildren(
    ...keys.map((k) =>
      h(
        "tr",
        { "data-message": k },
        h("th", { scope: "row" }, MESSAGE_LABELS[k] ?? k),
        h("td", { class: "num" }, rates ? formatRate(rates[k] ?? 0) : "–"),
        h("td", { class: "num" }, formatCount(totals[k] ?? 0)),
      ),
    ),
  );
}

async function poll(): Promise<void> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  const token = adminToken();
  const [stats, tracker] = await Promise.all([
    getJson("/api/stats", parseStats, ctl.signal, token),
    getJson("/api/tracker/stats", parseTrackerStats, ctl.signal, token),
  ]);
  clearTimeout(timer);
  askForToken(Boolean(stats.needsToken || tracker.needsToken));
  const cur: Poll = { at: performance.now(), stats: stats.ok ? stats.value : null, tracker: tracker.ok ? tracker.value : null };

  if (stats.ok) setPill(byId("stats-pill"), "ok", "ok", "Viewer reports: live");
  else setPill(byId("stats-pill"), "bad", "error", "Viewer reports: unavailable");
  if (tracker.ok) setPill(byId("tracker-pill"), "ok", "ok", "Tracker: reachable");
  else setPill(byId("tracker-pill"), "bad", "error", "Tracker: unreachable");
  const problems = [stats, tracker].flatMap((r) => (r.ok ? [] : [r.reason]));
  setText(byId("banner"), problems.join(" · "));
  if (stats.ok || tracker.ok) lastOk = Date.now();

  const view = dashboardView(prev, cur);
  renderRows(view.rows);
  renderMessages(view.messageTotals, view.messageRates);

  const t = cur.stats?.totals;
  if (t) {
    setText(byId("total-viewers"), formatCount(t.viewers), t.viewers);
    setText(byId("total-streams"), `${formatCount(cur.stats!.streams.length)} stream${cur.stats!.streams.length === 1 ? "" : "s"}`);
    setText(byId("total-offload"), formatPercent(t.offload), t.offload ?? "");
    setText(byId("total-saved"), formatBytes(t.bytesSaved), t.bytesSaved);
    setText(byId("total-http"), formatBytes(t.httpBytes), t.httpBytes);
  }
  if (cur.tracker) {
    setText(byId("total-peers"), formatCount(cur.tracker.peers), cur.tracker.peers);
    setText(byId("total-sockets"), `${formatCount(cur.tracker.sockets)} sockets · ${formatCount(cur.tracker.swarms)} swarms`);
  }
  if (view.messageRateTotal !== null) setText(byId("total-msg-rate"), formatRate(view.messageRateTotal), view.messageRateTotal.toFixed(2));
  if (view.byteRates) {
    setText(byId("total-saved-rate"), `now ${formatBitrate(view.byteRates.p2p)} from peers`);
    setText(byId("total-http-rate"), `now ${formatBitrate(view.byteRates.http)}`);
    delivery.push(Date.now(), view.byteRates);
    deliveryChart.update(delivery.data());
    setText(
      byId("summary-delivery"),
      `Now ${formatBitrate(view.byteRates.p2p)} from peers and ${formatBitrate(view.byteRates.http)} over HTTP across all streams.`,
    );
  }
  if (view.messageRateTotal !== null) {
    trackerSeries.push(Date.now(), { messages: view.messageRateTotal });
    trackerChart.update(trackerSeries.data());
    setText(byId("summary-tracker"), `The tracker handles ${formatRate(view.messageRateTotal)} messages across all channels.`);
  }
  // Keep the previous snapshot only when it had data, so one failed poll does not turn the
  // next interval's deltas into a spike or a gap that reads as zero.
  if (cur.stats || cur.tracker) prev = { at: cur.at, stats: cur.stats ?? prev?.stats ?? null, tracker: cur.tracker ?? prev?.tracker ?? null };
}

function renderAge(): void {
  const el = byId("updated");
  if (lastOk === 0) return setText(el, "Not updated yet.");
  const s = Math.round((Date.now() - lastOk) / 1000);
  setText(el, s <= 1 ? "Updated just now." : `Updated ${s} s ago.`);
}

async function loop(): Promise<void> {
  try {
    await poll();
  } catch (err) {
    // A bug in rendering must not stop the polling; show it instead of dying silently.
    setText(byId("banner"), `Dashboard error: ${err instanceof Error ? err.message : String(err)}`);
  }
  setTimeout(loop, POLL_MS);
}

setInterval(renderAge, 1000);
void loop();
