// Turns run results into the printed table and the one-line JSON. Formatting only.
import type { RunResult } from "./run";
import { HTTP_CAUSES, SLACK_BIN_S, SLACK_MIN_S } from "./swarm";

/** The value below which a share `p` of the histogram's mass lies (bin midpoints). */
export function percentileOfHist(hist: Float64Array, p: number): number {
  let total = 0;
  for (const v of hist) total += v;
  if (total === 0) return NaN;
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= p * total) return SLACK_MIN_S + (i + 0.5) * SLACK_BIN_S;
  }
  return SLACK_MIN_S + hist.length * SLACK_BIN_S;
}

const COLS: Array<[string, (r: RunResult) => string]> = [
  ["policy", (r) => r.policy],
  ["viewers", (r) => r.viewers.toLocaleString("en-US")],
  ["shards", (r) => String(r.shards)],
  ["largest", (r) => String(r.largestShard)],
  ["offload", (r) => r.offload.toFixed(3)],
  ["fetched", (r) => r.fetcherShare.toFixed(3)],
  ["m", (r) => r.meanM.toFixed(1)],
  ["stalls", (r) => String(r.stalls)],
  ["stall s", (r) => r.stallS.toFixed(1)],
  ["slack p50", (r) => `${r.slackP50.toFixed(1)} s`],
  ["slack p99", (r) => `${r.slackP99.toFixed(1)} s`],
  ["claims/s", (r) => r.maxClaimsPerS.toFixed(0)],
  ["msgs/s", (r) => r.maxFramesPerS.toFixed(0)],
  ["max obj rps", (r) => r.maxObjectRps.toFixed(0)],
  ["dir rps", (r) => r.directoryRps.toFixed(0)],
  ["objects", (r) => String(r.objects)],
  ["peers", (r) => r.meanPeers.toFixed(1)],
  ["CF $/1k vh", (r) => r.cfCostPer1kViewerHours.toFixed(3)],
  ["saved $/1k vh", (r) => r.egressSavedPer1kViewerHours.toFixed(2)],
  ["cost/saved", (r) => (r.egressSavedPer1kViewerHours > 0 ? `${((100 * r.cfCostPer1kViewerHours) / r.egressSavedPer1kViewerHours).toFixed(2)} %` : "-")],
];

/** Where the HTTP bytes go: each cause's share of all segment bytes (they sum to 1 − offload). */
const CAUSE_COLS: Array<[string, (r: RunResult) => string]> = [
  ["policy", (r) => r.policy],
  ["viewers", (r) => r.viewers.toLocaleString("en-US")],
  ["http", (r) => (1 - r.offload).toFixed(4)],
  ...HTTP_CAUSES.map((c, i): [string, (r: RunResult) => string] => [c, (r) => r.httpShareByCause[i]!.toFixed(4)]),
];

export function table(rows: readonly RunResult[]): string {
  return grid(COLS, rows);
}

/** The HTTP bytes of each run by cause (sim/swarm.ts HTTP_CAUSES). */
export function causeTable(rows: readonly RunResult[]): string {
  return grid(CAUSE_COLS, rows);
}

function grid(COLS: Array<[string, (r: RunResult) => string]>, rows: readonly RunResult[]): string {
  const cells = [COLS.map(([h]) => h), ...rows.map((r) => COLS.map(([, f]) => f(r)))];
  const widths = COLS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ");
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** The machine-readable line: EdgeSwarm's figures, dollars for the last two. */
export function jsonLine(r: RunResult): string {
  return JSON.stringify({
    viewers: r.viewers,
    offload: round(r.offload, 4),
    stalls: r.stalls,
    maxObjectRps: round(r.maxObjectRps, 1),
    cfCostPer1kViewerHours: round(r.cfCostPer1kViewerHours, 4),
    egressSavedPer1kViewerHours: round(r.egressSavedPer1kViewerHours, 2),
  });
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
