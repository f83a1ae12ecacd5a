// Builds what the Worker serves as static assets into dist/public:
// the client bundles (IIFE for the script tag, ESM) and the demo pages.
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/public");
mkdirSync(out, { recursive: true });

if (existsSync(join(root, "client/index.ts"))) {
  const common = {
    entryPoints: [join(root, "client/index.ts")],
    bundle: true,
    minify: true,
    sourcemap: true,
    target: "es2020",
    define: { global: "globalThis" },
    logLevel: "warning",
  };
  await build({ ...common, format: "iife", outfile: join(out, "edgeswarm.js") });
  await build({ ...common, format: "esm", outfile: join(out, "edgeswarm.mjs") });
}
// --- demo pages (owned by the demo room: scripts/build-demo.mjs) ---------------------
// Bundles demo/src/*.ts to demo.js / dashboard.js and copies only the static files, so
// the TS sources under demo/src are not published as assets.
if (existsSync(join(root, "demo"))) await (await import("./build-demo.mjs")).buildDemo(root, out);
// --- end demo pages ---------------------------------------------------------------

// ---- origin (owned by the origin room): the built-in sample clip + its hash manifest,
// made once with ffmpeg into dist/public/streams/sample/ and reused by later builds.
// The Worker serves /streams/sample/* and the /live/loop/* channel from these assets.
{
  const { ensureSample } = await import("./sample.mjs");
  await ensureSample();
}
// ---- end origin
