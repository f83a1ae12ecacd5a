// The npm package's stand-in for extras.ts (scripts/build.mjs redirects the plug-ins' import
// of "../extras" here for that build only): the same loadExtra, but each optional module is a
// chunk of the package that the site's bundler splits off, rather than a URL beside the
// Worker's script, which could be another version than the one installed. The Worker's
// bundles keep extras.ts. It loads modules; it decides nothing about when they are needed.
import type { ExtraName } from "./extras";

export type { ExtraName };

const CHUNKS: Record<ExtraName, () => Promise<unknown>> = {
  sha256: () => import("./sha256"),
  overlay: () => import("./overlay"),
  reporter: () => import("./reporter"),
  "tracker-watch": () => import("./tracker-watch"),
  seeding: () => import("./seeding"),
};

/** Imports an extra module; `scriptUrl` is unused here (there is no script URL in a bundle). */
export function loadExtra<T>(name: ExtraName, _scriptUrl: string): Promise<T> {
  return CHUNKS[name]() as Promise<T>;
}
