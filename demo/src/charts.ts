// Small uPlot wrappers for the demo's time charts: a line chart that sizes itself to its
// container (phone to desktop), formats its axis with the demo's units, and redraws from
// a RollingSeries. No data collection here; callers push points and call update().
// Must stay the first import: it fixes navigator.language before uPlot reads it.
import "./locale-guard";
import uPlot from "uplot";
import { COLORS } from "./theme";

export interface LineSpec {
  label: string;
  color: string;
  fill?: boolean;
}

export interface TimeChart {
  update(data: [number[], ...number[][]]): void;
  destroy(): void;
}

function hexToRgba(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * A time chart inside `host`. `format` labels the y axis and the legend values.
 * `yMax` pins the scale (e.g. 100 for percentages); otherwise it grows with the data.
 */
/** "14:03:27": the charts span minutes, so dates and sub-second ticks are noise. */
function clock(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function timeChart(host: HTMLElement, lines: LineSpec[], format: (v: number) => string, opts2: { yMax?: number; windowSeconds: number }): TimeChart {
  const { yMax, windowSeconds } = opts2;
  const height = 180;
  const width = () => Math.max(240, Math.floor(host.clientWidth));
  const axis: uPlot.Axis = {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1 },
    ticks: { stroke: COLORS.grid, width: 1 },
    font: "12px system-ui, sans-serif",
  };
  const opts: uPlot.Options = {
    width: width(),
    height,
    cursor: { drag: { x: false, y: false } },
    // Room on the right so the newest time label is not cut off at the card's edge.
    padding: [10, 24, 0, 0],
    // Not live: with no cursor a live legend shows "--" everywhere; the summary line
    // above each chart carries the current numbers instead.
    legend: { show: true, live: false },
    scales: {
      // A fixed sliding window ending at the newest point: an empty or one-point chart
      // otherwise auto-scales to years.
      // Grows from one minute up to the full window as data arrives, so a fresh page is
      // not a thin sliver at the right edge.
      x: {
        time: true,
        range: (_u, min, max) => {
          const end = max ?? Date.now() / 1000;
          const start = Math.max(end - windowSeconds, Math.min(min ?? end, end - 60));
          return [start, end];
        },
      },
      y: { range: (_u, _min, max) => [0, yMax ?? Math.max(1, max * 1.15)] },
    },
    axes: [
      { ...axis, space: 80, values: (_u, splits) => splits.map(clock) },
      { ...axis, size: 96, values: (_u, splits) => splits.map((v) => format(v)) },
    ],
    series: [
      {},
      ...lines.map((l): uPlot.Series => ({
        label: l.label,
        stroke: l.color,
        width: 2,
        fill: l.fill ? hexToRgba(l.color, 0.15) : undefined,
        points: { show: false },
        value: (_u, v) => (v === null || v === undefined ? "–" : format(v)),
      })),
    ],
  };
  const empty: uPlot.AlignedData = [[], ...lines.map(() => [])];
  const plot = new uPlot(opts, empty, host);
  const ro = new ResizeObserver(() => {
    const w = width();
    if (w !== plot.width) plot.setSize({ width: w, height });
  });
  ro.observe(host);
  return {
    update(data) {
      plot.setData(data);
    },
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}
