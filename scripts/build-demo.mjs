// Builds the demo pages into dist/public: the viewer page (/ → index.html + demo.js) and
// the dashboard (/dashboard → dashboard.html + dashboard.js), their CSS, and uPlot's CSS.
// Called from scripts/build.mjs; also runs alone (`node scripts/build-demo.mjs`).
// It does not build the client script: the viewer page imports /edgeswarm.mjs at run
// time, the file the client build writes, so the demo always runs the shipped script.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Static files copied as they are; TS sources under demo/src are bundled, never copied. */
const STATIC = /\.(html|css|svg|ico|png|txt|webmanifest)$/;

export async function buildDemo(root, out) {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { demo: join(root, "demo/src/viewer.ts"), dashboard: join(root, "demo/src/dashboard.ts") },
    outdir: out,
    bundle: true,
    minify: true,
    sourcemap: true,
    format: "esm",
    target: "es2020",
    // The viewer loads the client the way an integrator would: the Worker's own ESM build.
    external: ["/edgeswarm.mjs"],
    logLevel: "warning",
  });
  for (const name of readdirSync(join(root, "demo"))) {
    if (STATIC.test(name)) copyFileSync(join(root, "demo", name), join(out, name));
  }
  copyFileSync(join(root, "node_modules/uplot/dist/uPlot.min.css"), join(out, "uplot.css"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  await buildDemo(root, join(root, "dist/public"));
}
