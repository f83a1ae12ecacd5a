// The edge origin's public surface (re-exports only): HLS VOD + live from R2, the
// built-in sample and loop channels, authenticated ingest, and upstream mode.
export { handleOriginRequest } from "./router";
