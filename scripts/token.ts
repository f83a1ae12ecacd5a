// `npm run token -- --stream <name> [--ttl <seconds>] [--origin <url>] [--secret <s>]`: prints
// one viewer token (an HS256 JWT, shared/viewer-token.ts) for a Worker whose
// VIEWER_TOKEN_SECRET is the given secret (default: $VIEWER_TOKEN_SECRET, else .dev.vars).
// A site's backend mints the same tokens with any JWT library; see the README.
// `npm run token -- --ingest <stream> [--ttl <seconds>] [--secret <s>]`: prints a per-stream
// ingest token instead (claims { ingest, exp }, signed with INGEST_TOKEN: default
// $INGEST_TOKEN, else .dev.vars), which opens that one stream's ingest (worker/origin/auth.ts).
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isChannelName } from "../shared/names";
import { mintSignedToken, mintViewerToken, type ViewerClaims } from "../shared/viewer-token";

export interface TokenArgs {
  /** The stream the token opens: to view, or with `ingest`, to ingest. */
  stream: string;
  /** A per-stream ingest token (signed with INGEST_TOKEN) rather than a viewer token. */
  ingest?: true;
  ttl: number;
  origin?: string;
  secret: string;
}

/** Parses the command line; throws an Error with a usage message on anything wrong. */
export function parseTokenArgs(args: readonly string[], env: { VIEWER_TOKEN_SECRET?: string; INGEST_TOKEN?: string }, devVars: string | undefined): TokenArgs {
  let stream: string | undefined, ingest: string | undefined, origin: string | undefined, secret: string | undefined;
  let ttl = 3600;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--stream") stream = value();
    else if (a === "--ingest") ingest = value();
    else if (a === "--ttl") ttl = Number(value());
    else if (a === "--origin") origin = value();
    else if (a === "--secret") secret = value();
    else throw new Error(`unknown option ${a}`);
  }
  if (ingest !== undefined) {
    if (stream !== undefined || origin !== undefined) throw new Error("--ingest takes no --stream or --origin");
    if (!isChannelName(ingest)) throw new Error(`not a stream name: ${ingest}`);
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 366 * 86400) throw new Error("--ttl must be a whole number of seconds, at most a year");
    secret ??= env.INGEST_TOKEN || (devVars ? /^INGEST_TOKEN=(.*)$/m.exec(devVars)?.[1]?.trim() : undefined);
    if (!secret) throw new Error("no secret: pass --secret, set INGEST_TOKEN, or put it in .dev.vars");
    return { stream: ingest, ingest: true, ttl, secret };
  }
  if (!stream) throw new Error("missing --stream <name> (or --stream '*' for every stream), or --ingest <name>");
  if (stream !== "*" && !isChannelName(stream)) throw new Error(`not a stream name: ${stream}`);
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 366 * 86400) throw new Error("--ttl must be a whole number of seconds, at most a year");
  if (origin !== undefined) {
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      throw new Error(`--origin is not a URL: ${origin}`);
    }
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("--origin must be an http(s) origin");
    origin = u.origin;
  }
  secret ??= env.VIEWER_TOKEN_SECRET || (devVars ? /^VIEWER_TOKEN_SECRET=(.*)$/m.exec(devVars)?.[1]?.trim() : undefined);
  if (!secret) throw new Error("no secret: pass --secret, set VIEWER_TOKEN_SECRET, or put it in .dev.vars");
  return { stream, ttl, origin, secret };
}

export async function makeToken(a: TokenArgs, nowMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  if (a.ingest) return mintSignedToken(a.secret, { ingest: a.stream, exp: iat + a.ttl, iat });
  const claims: ViewerClaims = { stream: a.stream, exp: iat + a.ttl, iat };
  if (a.origin) claims.origin = a.origin;
  return mintViewerToken(a.secret, claims);
}

async function main(): Promise<void> {
  const devVarsPath = resolve(import.meta.dirname, "../.dev.vars");
  const devVars = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : undefined;
  let args: TokenArgs;
  try {
    args = parseTokenArgs(process.argv.slice(2), process.env, devVars);
  } catch (e) {
    console.error(
      `${(e as Error).message}\nusage: npm run token -- --stream <name> [--ttl <seconds>] [--origin <url>] [--secret <secret>]\n       npm run token -- --ingest <name> [--ttl <seconds>] [--secret <secret>]`,
    );
    process.exit(2);
  }
  console.log(await makeToken(args, Date.now()));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
