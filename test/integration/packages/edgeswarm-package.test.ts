// The npm package (packages/edgeswarm) as a site gets it: `npm pack`, then installed from the
// tarball into a fresh project (offline: the package has no dependencies of its own, and its
// peer hls.js is the repository's copy, linked). A usage file type-checks against the
// package's declarations with the TypeScript of this repository under both module
// resolutions sites use, with skipLibCheck off (so a declaration importing something the
// package does not ship fails); its `@ts-expect-error` lines fail the check if the types
// were `any`. Then esbuild bundles it the way a site's bundler would. Needs
// packages/edgeswarm/dist (`npm test` builds it first).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const PKG = join(ROOT, "packages/edgeswarm");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

const USAGE = `import Hls from "hls.js";
import { attach, handleOf, withEdgeSwarm, type AttachOptions, type EdgeSwarmEvents, type EdgeSwarmError, type Stats } from "edgeswarm";

const options: AttachOptions = { workerOrigin: "https://cdn.example", upload: "auto", report: true, coreConfig: { p2pDownloadTimeWindow: 60 } };
// @ts-expect-error -- upload is "auto" | "on" | "off"
const wrong: AttachOptions = { upload: "sometimes" };

const video = document.createElement("video");
const handle = attach(video, "https://cdn.example/live/loop/master.m3u8", options);
const off = handle.on("segment", (e: EdgeSwarmEvents["segment"]) => console.log(e.source, e.bytes, e.peerId));
off();
handle.on("error", (e: EdgeSwarmError) => console.log(e.type, e.details, e.fatal));
handle.on("tracker", (e) => console.log(e.state));
// @ts-expect-error -- there is no such event
handle.on("no-such-event", () => {});
const s: Stats = handle.stats();
const p2p: number = s.p2pBytes + s.httpBytes;
// @ts-expect-error -- byte counts are numbers
const notText: string = s.p2pBytes;
console.log(handleOf(video) === handle, p2p, wrong, notText);

const HlsP2P = withEdgeSwarm(Hls);
if (HlsP2P.isSupported()) {
  const hls = new HlsP2P({ maxBufferLength: 20, edgeswarm: { ...options, swarmId: "loop" } });
  hls.attachMedia(video);
  hls.loadSource("https://cdn.example/live/loop/master.m3u8");
  hls.on(Hls.Events.MANIFEST_PARSED, () => console.log(hls.levels.length));
  hls.edgeswarm.on("stats", (st) => console.log(st.mode, st.peers, hls.edgeswarm.options?.channel));
  hls.edgeswarm.on("rejected", (r) => console.log(r.reason === "hash-mismatch", r.url));
  // @ts-expect-error -- EdgeSwarm's options go under \`edgeswarm\`, checked
  new HlsP2P({ edgeswarm: { p2p: "yes" } });
  // @ts-expect-error -- no hlsConfig in the wrapper: its own config is hls.js's
  new HlsP2P({ edgeswarm: { hlsConfig: { maxBufferLength: 10 } } });
  hls.destroy();
}
`;

describe("the npm package", () => {
  let dir: string;
  let packed: { filename: string; files: Array<{ path: string }> };

  beforeAll(() => {
    expect(existsSync(join(PKG, "dist/index.js")), "packages/edgeswarm/dist is built by `npm run build`").toBe(true);
    dir = mkdtempSync(join(tmpdir(), "edgeswarm-pkg-"));
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: PKG, encoding: "utf8" });
    packed = (JSON.parse(out) as Array<typeof packed>)[0]!;
    const site = join(dir, "site");
    execFileSync("mkdir", ["-p", site]);
    writeFileSync(join(site, "package.json"), JSON.stringify({ name: "site", private: true, type: "module" }));
    execFileSync(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(dir, packed.filename), `file:${join(ROOT, "node_modules/hls.js")}`],
      { cwd: site, encoding: "utf8" },
    );
    writeFileSync(join(site, "usage.ts"), USAGE);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("packs the built ESM, its chunks and declarations, and nothing of the repository besides", () => {
    const paths = packed.files.map((f) => f.path).sort();
    console.log(`${packed.filename}: ${paths.length} files, e.g. ${paths.slice(0, 4).join(", ")}`);
    expect(paths).toContain("dist/index.js");
    expect(paths).toContain("dist/index.d.ts");
    expect(paths).toContain("dist/types/client/with-edgeswarm.d.ts");
    expect(paths.some((p) => p.startsWith("dist/chunks/seeding-"))).toBe(true);
    expect(paths.filter((p) => !p.startsWith("dist/") && p !== "package.json")).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dir, "site/node_modules/edgeswarm/package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toEqual({ "hls.js": expect.any(String) });
  });

  for (const [module, moduleResolution] of [
    ["nodenext", "nodenext"],
    ["esnext", "bundler"],
  ]) {
    it(`type-checks a site's use of attach, withEdgeSwarm, options, events and stats (moduleResolution ${moduleResolution})`, () => {
      const site = join(dir, "site");
      const config = `tsconfig.${moduleResolution}.json`;
      writeFileSync(
        join(site, config),
        JSON.stringify({
          compilerOptions: { target: "es2022", module, moduleResolution, lib: ["es2022", "dom"], types: [], strict: true, noEmit: true, skipLibCheck: false },
          files: ["usage.ts"],
        }),
      );
      let output = "";
      let ok = true;
      try {
        output = execFileSync(process.execPath, [TSC, "-p", config], { cwd: site, encoding: "utf8" });
      } catch (err) {
        ok = false;
        output = String((err as { stdout?: string }).stdout ?? err);
      }
      console.log(`tsc -p ${config}: ${ok ? "ok" : output}`);
      expect(output).toBe("");
      expect(ok).toBe(true);
    });
  }

  it("bundles from the installed package the way a site's bundler does, with the optional modules as separate chunks", async () => {
    const site = join(dir, "site");
    const r = await build({
      entryPoints: [join(site, "usage.ts")],
      absWorkingDir: site,
      bundle: true,
      format: "esm",
      splitting: true,
      outdir: join(site, "out"),
      write: false,
      logLevel: "silent",
    });
    const names = r.outputFiles.map((f) => f.path.slice(site.length + 5)).sort();
    console.log(`site bundle: ${names.join(", ")}`);
    // The page's hls.js is in the bundle exactly once (its Events enum defines this name), not
    // a second copy inside the package; the seeder is a chunk loaded when needed.
    const all = r.outputFiles.map((f) => f.text).join("\n");
    expect(all.match(/\] = "hlsMediaAttaching"/g)?.length ?? 0).toBe(1);
    expect(names.some((n) => n.startsWith("seeding-"))).toBe(true);
  }, 60_000);
});
