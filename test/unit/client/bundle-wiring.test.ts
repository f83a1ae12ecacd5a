// The build's redirects reach the bundle: p2p-media-loader-core's bittorrent-tracker import is
// client/tracker-client.ts (re-announce when peerless), which nothing else imports, so its
// policy's constants are in edgeswarm.js only if the redirect took effect. If the core ever
// inlined bittorrent-tracker, re-announcing would silently stop; this says so.
import { resolve } from "node:path";
import { build, type BuildOptions } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
type BuildModule = { clientBuildOptions(o: { entry: string; format: "iife" | "esm" }): BuildOptions };

describe("client bundle wiring", () => {
  it("routes p2p-media-loader-core's tracker client through client/tracker-client.ts", async () => {
    const { clientBuildOptions } = (await import(`${ROOT}/scripts/build.mjs`)) as BuildModule;
    const r = await build({
      ...clientBuildOptions({ entry: `${ROOT}/client/index.ts`, format: "iife" }),
      write: false,
      sourcemap: false,
      metafile: true,
      outfile: "/virtual/out.js",
    });
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs.some((p) => p.endsWith("client/tracker-client.ts"))).toBe(true);
    expect(inputs.some((p) => p.endsWith("client/reannounce.ts"))).toBe(true);
    expect(inputs.some((p) => p.endsWith("client/tracker-socket.ts"))).toBe(true);
    // The optional modules stay out of the bundle (client/extras.ts loads them on demand).
    expect(
      inputs.some(
        (p) => p.endsWith("client/sha256.ts") || p.endsWith("client/overlay.ts") || p.endsWith("client/reporter.ts") || p.endsWith("client/tracker-watch.ts"),
      ),
    ).toBe(false);
  }, 60_000);
});
