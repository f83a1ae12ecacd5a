// Builds the two bench page scripts in memory with esbuild when the browser driver first
// needs them: the stock page (hls.js + p2p-media-loader-hlsjs + probe, ~1 MB) and the
// EdgeSwarm page glue (probe only; the client itself is the Worker's built /edgeswarm.js).
// Same settings scripts/build.mjs uses for the client, because p2p-media-loader pulls in
// Node-flavoured npm code: `process` injected from the `process` package (client/shims),
// `global` = globalThis, `events` resolved to the npm package. Writes nothing to disk.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");

export interface PageBundles {
  stock: string;
  edgeswarm: string;
}

async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    write: false,
    minify: true,
    target: "es2020",
    platform: "browser",
    format: "iife",
    inject: [join(root, "client/shims/process.ts")],
    define: { global: "globalThis" },
    logLevel: "warning",
    legalComments: "none",
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}

export async function buildPageBundles(): Promise<PageBundles> {
  const [stock, edgeswarm] = await Promise.all([bundle("browser-stock-page.ts"), bundle("browser-edgeswarm-page.ts")]);
  return { stock, edgeswarm };
}
