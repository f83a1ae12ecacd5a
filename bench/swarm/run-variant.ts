// Runs one variant of the swarm bench: N viewers join the same stream `spacing` seconds
// apart, all watch until `duration` seconds after the last join, then leave; the rows come
// from the metering proxy (HTTP segment bytes per viewer tag) and the viewers (need,
// stalls, startup). Viewers are started through a driver so a browser driver (Chromium
// tabs, from the e2e harness) can replace the Node one without touching the arithmetic.
// It does not start the Worker, the trackers or the meter (index.ts owns their lifetimes).
import type { MeteringProxy } from "../../harness/metering-proxy.ts";
import { VirtualViewer, type ViewerOptions, type ViewerStats } from "../../harness/virtual-viewer/viewer.ts";
import { totals, type TotalRow, type ViewerRow } from "./offload.ts";
import type { VariantSpec } from "./variants.ts";

export interface ViewerHandle {
  stop(): Promise<ViewerStats>;
}

export interface ViewerDriver {
  readonly name: string;
  start(opts: ViewerOptions): Promise<ViewerHandle>;
  close(): Promise<void>;
}

export const nodeDriver: ViewerDriver = {
  name: "node (p2p-media-loader-core + node-datachannel)",
  async start(opts) {
    const v = new VirtualViewer(opts);
    try {
      await v.start();
    } catch (e) {
      v.stop();
      throw e;
    }
    return { stop: async () => v.stop() };
  },
  async close() {},
};

export interface RunInput {
  spec: VariantSpec;
  masterUrl: string;
  meter: MeteringProxy;
  trackerUrl: string;
  viewers: number;
  spacing: number;
  /** VOD: viewer i starts i × startStep seconds into the video (0: at the start). */
  startStep: number;
  duration: number;
  rendition: "highest" | "lowest";
  driver: ViewerDriver;
  log: (msg: string) => void;
}

export interface RunResult {
  rows: ViewerRow[];
  total: TotalRow;
  stats: ViewerStats[];
  startFailures: string[];
  wallSeconds: number;
  /** Epoch ms of the first join (stall timelines are relative to it). */
  t0: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runVariant(input: RunInput): Promise<RunResult> {
  const { spec, meter, viewers, driver, log } = input;
  meter.reset();
  const t0 = Date.now();
  const handles: { id: string; h: ViewerHandle }[] = [];
  const startFailures: string[] = [];
  const stats: ViewerStats[] = [];
  try {
    for (let i = 0; i < viewers; i++) {
      if (i > 0) await sleep(input.spacing * 1000);
      const id = `${spec.name}-${String(i + 1).padStart(2, "0")}`;
      try {
        const h = await driver.start({
          id,
          masterUrl: input.masterUrl,
          core: spec.core,
          announceTrackers: [input.trackerUrl],
          integrity: spec.integrity,
          player: spec.player,
          rendition: input.rendition,
          ...(input.startStep > 0 ? { startPosition: i * input.startStep } : {}),
          ...(spec.windowsFor ? { windowsFor: spec.windowsFor } : {}),
          ...(spec.seed ? { seed: spec.seed } : {}),
        });
        handles.push({ id, h });
      } catch (e) {
        startFailures.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
        // The first viewer failing means the setup is broken, not the swarm: stop early.
        if (handles.length === 0) throw new Error(`first viewer failed to start: ${startFailures.join("; ")}`);
      }
    }
    log(`  ${handles.length}/${viewers} viewers joined; watching ${input.duration} s more`);
    await sleep(input.duration * 1000);
  } finally {
    // Leave in reverse join order; every viewer stops even if one throws.
    for (const { h } of handles.reverse()) {
      try {
        stats.push(await h.stop());
      } catch {
        /* counted below as missing */
      }
    }
    stats.reverse();
  }
  // Give aborted responses a moment to settle in the meter before reading it.
  await sleep(500);
  const snap = meter.snapshot();
  const rows: ViewerRow[] = stats.map((s) => ({
    id: s.id,
    httpSegmentBytes: snap.byTag[s.id]?.segment.bytes ?? 0,
    abortedHttp: snap.byTag[s.id]?.segment.aborted ?? 0,
    neededBytes: s.neededBytes,
    p2pBytes: s.p2pBytes,
    stalls: s.stalls,
    stallMs: s.stallMs,
    startupMs: s.startupMs,
    integrityRejects: s.integrityRejects,
  }));
  // Segment bytes no viewer tag claims (should be none) still count against the total.
  const claimed = rows.reduce((a, r) => a + r.httpSegmentBytes, 0);
  const unclaimed = snap.total.segment.bytes - claimed;
  const total = totals(rows);
  if (unclaimed > 0) {
    total.httpSegmentBytes += unclaimed;
    log(`  note: ${unclaimed} metered segment bytes carried no viewer tag; counted in the total`);
    const fixed = totals(rows);
    total.offload = fixed.neededBytes > 0 ? 1 - total.httpSegmentBytes / fixed.neededBytes : undefined;
    total.ofIdeal = total.offload !== undefined && total.ideal > 0 ? total.offload / total.ideal : undefined;
  }
  return { rows, total, stats, startFailures, wallSeconds: (Date.now() - t0) / 1000, t0 };
}
