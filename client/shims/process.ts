// Injected by esbuild (scripts/build.mjs `inject`) wherever bundled npm code reads the Node
// global `process` (debug, streamx, bittorrent-tracker); browsers have none.
// @ts-expect-error -- the `process` package's browser build has no type declarations.
import processShim from "process/browser.js";

export { processShim as process };
