// Sends this viewer's counters to the Worker (POST /api/report) on the interval the Worker
// asks for, and once more when the page goes away. Totals since the viewer id was minted, so
// a lost or repeated report is harmless. After a silence longer than the Worker keeps a
// viewer, it mints a new id and counts from the last acknowledged totals (nothing is lost
// or counted twice). Failures are silent and backed off: stats must never disturb playback.
// Each report names this page's tracker peer_id: the Worker counts a new viewer only once its
// tracker has seen that peer_id (a 403 until then, which is retried later, totals kept).
import { ERROR_TYPES, emptyErrors, REPORT_VERSION, type Report } from "../shared/stats-report";
import { MAX_PEERS, REPORT_INTERVAL_MS, VIEWER_TTL_MS } from "../shared/limits";
import { minus, type Stats } from "./stats";

type Baseline = Pick<Stats, "httpBytes" | "p2pBytes" | "uploadedBytes" | "errors">;

export function newViewerId(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The report body for the current totals relative to the baseline (pure). */
export function buildReport(stream: string, viewer: string, now: Stats, base: Baseline, peer?: string): Report {
  const d = minus(now, base);
  const errors = emptyErrors();
  for (const k of ERROR_TYPES) errors[k] = d.errors[k];
  const r: Report = {
    v: REPORT_VERSION,
    stream,
    viewer,
    http: d.httpBytes,
    p2p: d.p2pBytes,
    up: d.uploadedBytes,
    peers: Math.min(MAX_PEERS, now.peers),
    errors,
  };
  // Only a well-formed peer_id is sent: the Worker refuses a report with a malformed one.
  if (peer !== undefined && peer.length === 20) r.peer = peer;
  return r;
}

export class Reporter {
  private viewer = newViewerId();
  private base: Baseline = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, errors: emptyErrors() };
  private lastAck = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly url: string,
    private readonly stream: string,
    private readonly read: () => Stats,
    /** This page's tracker peer_id (main bundle: tracker-socket.ts announcedPeerId). */
    private readonly peer: () => string | undefined = () => undefined,
  ) {
    addEventListener("pagehide", this.onHide);
    this.schedule(REPORT_INTERVAL_MS);
  }

  stop(final = true): void {
    if (this.stopped) return;
    if (final) this.beacon();
    this.stopped = true;
    clearTimeout(this.timer);
    removeEventListener("pagehide", this.onHide);
  }

  private onHide = () => this.beacon();

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.send(), ms);
  }

  private rotateIfStale(): void {
    // The Worker forgets a viewer silent for VIEWER_TTL_MS; start a fresh id well before that
    // could make a returning id look new (its old bytes are already in the stream's totals).
    if (Date.now() - this.lastAck > VIEWER_TTL_MS / 2) {
      this.viewer = newViewerId();
      this.lastAck = Date.now();
    }
  }

  private async send(): Promise<void> {
    this.rotateIfStale();
    const snap = this.read();
    const body = JSON.stringify(buildReport(this.stream, this.viewer, snap, this.base, this.peer()));
    let next = REPORT_INTERVAL_MS;
    try {
      // text/plain keeps this a CORS "simple request": no preflight from embedding pages.
      const r = await fetch(this.url, { method: "POST", body, headers: { "content-type": "text/plain" }, keepalive: true, credentials: "omit" });
      const reply = (await r.json().catch(() => null)) as { next?: unknown } | null;
      if (r.ok) {
        this.lastAck = Date.now();
        this.failures = 0;
        if (typeof reply?.next === "number" && reply.next >= 1000 && reply.next <= 600_000) next = reply.next;
      } else if (r.status === 409 || r.status === 422) {
        // The Worker refused our totals (e.g. it lost track of us): start over as a new viewer.
        this.viewer = newViewerId();
        this.base = { httpBytes: snap.httpBytes, p2pBytes: snap.p2pBytes, uploadedBytes: snap.uploadedBytes, errors: { ...snap.errors } };
      } else {
        // 403 (the tracker has not seen us yet, or our peer_id backs our previous id), 429, 5xx:
        // keep id and totals, back off and try again.
        this.failures++;
      }
    } catch {
      this.failures++;
    }
    this.schedule(this.failures > 0 ? Math.min(120_000, next * 2 ** this.failures) : next);
  }

  private beacon(): void {
    if (this.stopped || typeof navigator === "undefined" || !navigator.sendBeacon) return;
    const body = JSON.stringify(buildReport(this.stream, this.viewer, this.read(), this.base, this.peer()));
    try {
      navigator.sendBeacon(this.url, new Blob([body], { type: "text/plain" }));
    } catch {
      /* best effort */
    }
  }
}
