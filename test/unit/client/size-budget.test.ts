// Size budget: the shipped script may weigh at most 10 KB (gzip) more than hls.js +
// p2p-media-loader-hlsjs bundled alone the same way. Builds both, prints both, compares.
import { gzipSync } from "node:zlib";
import { resolve } from "node:path";
import { build, type BuildOptions } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const BUDGET_OVER_BASELINE = 10 * 1024;

type BuildModule = { clientBuildOptions(o: { entry: string; format: "iife" | "esm"; test?: boolean; watchSockets?: boolean }): BuildOptions };

async function gzipOf(options: BuildOptions): Promise<{ raw: number; gz: number; text: string }> {
  const r = await build({ ...options, write: false, sourcemap: false, outfile: "/virtual/out.js" });
  const js = r.outputFiles?.find((f) => f.path.endsWith(".js"));
  if (!js) throw new Error("no output");
  return { raw: js.contents.byteLength, gz: gzipSync(js.contents, { level: 9 }).byteLength, text: js.text };
}

describe("client bundle size", () => {
  it("stays within 10 KB gzip of hls.js + p2p-media-loader-hlsjs alone", async () => {
    const specifier = `${ROOT}/scripts/build.mjs`;
    const { clientBuildOptions } = (await import(specifier)) as BuildModule;
    const ours = await gzipOf(clientBuildOptions({ entry: `${ROOT}/client/index.ts`, format: "iife" }));
    const base = clientBuildOptions({ entry: "unused", format: "iife", watchSockets: false });
    delete base.entryPoints;
    const baseline = await gzipOf({
      ...base,
      stdin: {
        contents: 'import Hls from "hls.js"; import { HlsJsP2PEngine } from "p2p-media-loader-hlsjs"; (globalThis as any).x = [Hls, HlsJsP2PEngine];',
        resolveDir: ROOT,
        loader: "ts",
      },
    });
    const kb = (n: number) => (n / 1024).toFixed(1).padStart(7);
    console.log(
      [
        "bundle                                  raw KB  gzip KB",
        `hls.js + p2p-media-loader-hlsjs       ${kb(baseline.raw)}  ${kb(baseline.gz)}`,
        `edgeswarm.js                          ${kb(ours.raw)}  ${kb(ours.gz)}`,
        `difference (budget ${BUDGET_OVER_BASELINE / 1024} KB)            ${kb(ours.raw - baseline.raw)}  ${kb(ours.gz - baseline.gz)}`,
      ].join("\n"),
    );
    expect(ours.gz).toBeLessThanOrEqual(baseline.gz + BUDGET_OVER_BASELINE);
    // The shipped bundle must not carry the test-only corruption hook.
    expect(ours.text).not.toContain("__edgeswarmCorrupt");
  }, 120_000);
});
