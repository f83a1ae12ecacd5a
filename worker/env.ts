// The Worker's Env as its code reads it. Types only.
// Bindings and vars come from wrangler.toml, secrets and test-only vars from .dev.vars.example:
// `npm run types` generates them into worker-configuration.d.ts (as Cloudflare.Env), and
// `npm run check` fails when that file is stale. What each var means is written beside it there.
// Vars, secrets and the assets binding stay optional here, as they were when this file was
// written by hand: a deployment may leave any of them unset (ingest is refused without
// INGEST_TOKEN, upstream mode is off without UPSTREAM_ORIGIN), so the code must not assume them.
type OptionalKeys =
  | "ASSETS"
  | "CORS_ORIGINS"
  | "ALLOWED_ORIGINS"
  | "UPSTREAM_ORIGIN"
  | "DVR_WINDOW_SECONDS"
  | "TRACKER_SHARDING"
  | "INGEST_TOKEN"
  | "ADMIN_TOKEN"
  | "VIEWER_TOKEN_SECRET"
  | "EDGESWARM_TEST_HOOKS";

export type Env = Omit<Cloudflare.Env, OptionalKeys> & Partial<Pick<Cloudflare.Env, OptionalKeys>>;
