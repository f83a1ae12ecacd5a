// Builds what the Worker serves as static assets into dist/public: the client bundles
// (edgeswarm.js IIFE for the script tag, edgeswarm.mjs ESM, both minified with source maps)
// and their cache/CORS headers, then the demo pages and the origin's sample clip. Also builds
// dist/test/edgeswarm.test.js (test hooks compiled in) for browser tests; never served.
// And the npm package's build (packages/edgeswarm/dist: ESM and declarations; buildPackage).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/public");
mkdirSync(out, { recursive: true });

/**
 * esbuild options for a browser bundle of `entry`. p2p-media-loader pulls in Node-flavoured
 * npm code: `process` is injected from the `process` package, `global` is globalThis, and
 * `events` resolves to the npm package. The redirect of simple-websocket (only when imported
 * by bittorrent-tracker) lets the player see tracker sockets close (client/tracker-socket.ts);
 * the redirect of bittorrent-tracker (only when imported by p2p-media-loader-core) makes a
 * peerless tracker client announce again soon (client/tracker-client.ts).
 * Exported so the size-budget test builds its baseline exactly the same way.
 */
export function clientBuildOptions({ entry, format, test = false, watchSockets = true }) {
  const trackerSocketPlugin = {
    name: "edgeswarm-tracker-socket",
    setup(b) {
      b.onResolve({ filter: /^@thaunknown\/simple-websocket$/ }, (args) =>
        /[\\/]bittorrent-tracker[\\/]/.test(args.importer) ? { path: join(root, "client/tracker-socket.ts") } : undefined,
      );
      b.onResolve({ filter: /^bittorrent-tracker$/ }, (args) =>
        /[\\/]p2p-media-loader-core[\\/]/.test(args.importer) ? { path: join(root, "client/tracker-client.ts") } : undefined,
      );
    },
  };
  return {
    entryPoints: [entry],
    bundle: true,
    minify: true,
    sourcemap: true,
    target: "es2020",
    platform: "browser",
    format,
    inject: [join(root, "client/shims/process.ts")],
    define: {
      global: "globalThis",
      __EDGESWARM_TEST__: test ? "true" : "false",
      __EDGESWARM_FORMAT__: JSON.stringify(format),
      ...(format === "iife" ? { "import.meta.url": "undefined" } : {}),
    },
    plugins: watchSockets ? [trackerSocketPlugin] : [],
    globalName: format === "iife" ? "EdgeSwarm" : undefined,
    logLevel: "warning",
    legalComments: "none",
    // Class fields as plain assignments in the constructor (TypeScript's pre-ES2022 emit)
    // rather than esbuild's defineProperty helper calls for the es2020 target: the same
    // behaviour for the client's classes (none shadows an accessor of a base class, and
    // none reads a field before assigning it), ~150 B gzip less in a budgeted bundle.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, verbatimModuleSyntax: true } },
  };
}

/**
 * Static-asset headers (Workers `_headers`). The bundle names are stable, so browsers keep
 * them 5 minutes and then revalidate (ETag) instead of pinning a stale player for days; CORS
 * is open because pages on other origins load the script and import the ESM build.
 */
/** The client's optional modules (client/extras.ts), imported on demand from beside the bundle. */
export const CLIENT_EXTRAS = {
  "edgeswarm-sha256.mjs": "client/sha256.ts",
  "edgeswarm-overlay.mjs": "client/overlay.ts",
  "edgeswarm-reporter.mjs": "client/reporter.ts",
  "edgeswarm-tracker-watch.mjs": "client/tracker-watch.ts",
  "edgeswarm-seeding.mjs": "client/seeding.ts",
};

export const CLIENT_HEADERS = ["/edgeswarm.js", "/edgeswarm.mjs", "/edgeswarm.js.map", "/edgeswarm.mjs.map", ...Object.keys(CLIENT_EXTRAS).map((f) => `/${f}`)]
  .map((p) => `${p}\n  Cache-Control: public, max-age=300, must-revalidate\n  Access-Control-Allow-Origin: *\n  X-Content-Type-Options: nosniff`)
  .join("\n");

/**
 * The npm package (packages/edgeswarm/dist), from client/npm.ts: ESM for the site's bundler.
 * hls.js stays out (a peer dependency: withEdgeSwarm wraps the page's own Hls class, and one
 * page must not load two hls.js). p2p-media-loader and its tracker client are bundled in, as
 * in the Worker's builds: the redirects and shims clientBuildOptions applies to them would be
 * lost in a site's bundler. The optional modules are chunks of the package (extras-bundled.ts)
 * instead of URLs on the Worker. Then tsc writes the declarations (TypeScript 7's tsc emits
 * them like 5.x did), with relative imports given their .js, which `moduleResolution:
 * node16/nodenext` needs.
 */
export async function buildPackage() {
  const pkg = join(root, "packages/edgeswarm");
  const outdir = join(pkg, "dist");
  rmSync(outdir, { recursive: true, force: true });
  const base = clientBuildOptions({ entry: join(root, "client/npm.ts"), format: "esm" });
  const bundledExtras = {
    name: "edgeswarm-bundled-extras",
    setup(b) {
      b.onResolve({ filter: /^\.\.?\/extras$/ }, (args) =>
        args.importer.startsWith(join(root, "client")) ? { path: join(root, "client/extras-bundled.ts") } : undefined,
      );
    },
  };
  await build({
    ...base,
    outdir,
    splitting: true,
    external: ["hls.js"],
    // Readable for whoever steps into it; the site's bundler minifies. Syntax folding still
    // drops the test-only code behind __EDGESWARM_TEST__.
    minify: false,
    minifySyntax: true,
    sourcemap: false,
    entryNames: "index",
    chunkNames: "chunks/[name]-[hash]",
    plugins: [...base.plugins, bundledExtras],
  });
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(pkg, "tsconfig.json")], { stdio: "inherit" });
  const types = join(outdir, "types");
  for (const f of readdirSync(types, { recursive: true })) {
    if (!String(f).endsWith(".d.ts")) continue;
    const path = join(types, String(f));
    const text = readFileSync(path, "utf8").replace(/(from\s+|import\()"(\.{1,2}\/[^"]+)"/g, (m, pre, spec) => {
      if (spec.endsWith(".js")) return m;
      const target = join(dirname(path), spec);
      if (existsSync(`${target}.d.ts`)) return `${pre}"${spec}.js"`;
      if (existsSync(join(target, "index.d.ts"))) return `${pre}"${spec}/index.js"`;
      return m;
    });
    writeFileSync(path, text);
  }
  writeFileSync(join(outdir, "index.d.ts"), `// The package's types: those of client/npm.ts.\nexport * from "./types/client/npm.js";\n`);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];

if (isMain && existsSync(join(root, "client/index.ts"))) {
  const entry = join(root, "client/index.ts");
  await build({ ...clientBuildOptions({ entry, format: "iife" }), outfile: join(out, "edgeswarm.js") });
  await build({ ...clientBuildOptions({ entry, format: "esm" }), outfile: join(out, "edgeswarm.mjs") });
  for (const [file, src] of Object.entries(CLIENT_EXTRAS)) {
    await build({ ...clientBuildOptions({ entry: join(root, src), format: "esm" }), outfile: join(out, file) });
  }
  mkdirSync(join(root, "dist/test"), { recursive: true });
  await build({ ...clientBuildOptions({ entry, format: "iife", test: true }), outfile: join(root, "dist/test/edgeswarm.test.js") });
  writeFileSync(join(out, "_headers"), `${CLIENT_HEADERS}\n`);
  await buildPackage();
}
if (!isMain) {
  // Imported for clientBuildOptions (size-budget test): build nothing.
} else {
  // --- demo pages (owned by the demo room: scripts/build-demo.mjs) ---------------------
  // Bundles demo/src/*.ts to demo.js / dashboard.js and copies only the static files, so
  // the TS sources under demo/src are not published as assets.
  if (existsSync(join(root, "demo"))) await (await import("./build-demo.mjs")).buildDemo(root, out);
  // --- end demo pages ---------------------------------------------------------------

  // ---- origin (owned by the origin room): the built-in clips + their hash manifests,
  // made once with ffmpeg into dist/public/streams/<clip>/ and reused by later builds.
  // The Worker serves /streams/sample/*, /streams/film/* and the /live/loop/* channel
  // (from the sample) from these assets.
  {
    const { ensureClips } = await import("./sample.mjs");
    await ensureClips();
  }
  // ---- end origin
}
