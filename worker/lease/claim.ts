// The edge's say in who fetches a segment over HTTP. A viewer that wants a segment
// *ahead* of its playhead (p2p-media-loader's "random HTTP" seeding) adds
// `?es_claim=<channel>` to the request. The first such request for a segment in the
// swarm is served (that viewer becomes its seeder and shares it over WebRTC); every
// later one gets a body-less 204 at once, so the segment leaves the origin once per
// swarm instead of once per viewer that happened to pick it. A served claim is marked
// `x-edgeswarm-claim: granted`, so a client can tell this Worker from an origin that
// ignores the parameter (and stop claiming there). Requests without the parameter
// (a playhead that needs the bytes now) are never refused. The wire format (parameter,
// header, answers) is shared/claim.ts; this module is the only one that writes the header.
//
// A lease is recorded only once the origin has served the segment (200 or 206): a claim
// for a segment that does not exist (yet) gets the origin's 404, unmarked, and leaves no
// lease behind, so invented keys can neither win "granted" nor push real leases out of
// the book. Each viewer (one address, access/address.ts) holds at most MAX_LEASES_PER_VIEWER
// leases at once, and only a viewer known to the region is granted any: an address with a
// tracker socket that announced in the channel (the tracker's witness, known-viewers.ts), or
// any request when viewer tokens are on (the gate in access/viewer.ts has checked its token
// before a media request gets here). An unknown address gets the same 204 `denied`, before
// the origin is touched.
import { CLAIM_HEADER, CLAIM_PARAM, type ClaimAnswer } from "../../shared/claim";
import type { Env } from "../env";
import { jsonError } from "../http";
import { CHANNEL_RULE, isChannelName } from "../../shared/names";
import { shardName, trackerSharding } from "../tracker/routing";
import { MAX_LEASE_KEY_CHARS } from "./limits";
import { addressKey } from "../access/address";
import type { SegmentLeases } from "./durable-object";

/** A claim still to be recorded once the origin has answered. */
interface PendingLease {
  key: string;
  viewer: string;
  tokened: boolean;
  leases: DurableObjectStub<SegmentLeases>;
}

export type ClaimDecision = { ok: true; request: Request; lease?: PendingLease } | { ok: false; response: Response };

/**
 * Serves a media request through the lease: `serve` runs for every request that is not a
 * refused claim, and a granted claim's response is marked so the client knows it won.
 */
export async function serveClaimed(request: Request, env: Env, serve: (request: Request) => Promise<Response>): Promise<Response> {
  const claim = await applyClaim(request, env);
  if (!claim.ok) return claim.response;
  const response = await serve(claim.request);
  const lease = claim.lease;
  if (!lease) return response;
  // Only a segment the origin has is leased; a 404 (or 304, 416, 5xx) goes back as it is.
  if (response.status !== 200 && response.status !== 206) return response;
  const result = await lease.leases.claim(lease.key, lease.viewer, lease.tokened);
  if (result.granted) return withAnswer(response, "granted");
  // Another viewer won between our check and now (or this one reached its bound).
  await response.body?.cancel();
  return denied();
}

function withAnswer(response: Response, answer: ClaimAnswer): Response {
  const marked = new Response(response.body, response);
  marked.headers.set(CLAIM_HEADER, answer);
  return marked;
}

// A refusal is a normal answer, not an error: 204 with a header rather than a 4xx, because
// browsers log every 4xx fetch as a console error on the embedding page.
const denied = () => withAnswer(new Response(null, { status: 204, headers: { "cache-control": "no-store" } }), "denied");

/** Only media segments are leased; playlists, keys and init segments are always served. */
const SEGMENT_RE = /\.(ts|m4s|aac|mp4|m4a|m4v)$/i;

export async function applyClaim(request: Request, env: Env): Promise<ClaimDecision> {
  const url = new URL(request.url);
  const channel = url.searchParams.get(CLAIM_PARAM);
  if (channel === null) return { ok: true, request };
  // The parameter is ours, not the origin's: strip it so caches and upstreams never see it.
  url.searchParams.delete(CLAIM_PARAM);
  const stripped = new Request(url.toString(), request);
  if (request.method !== "GET") return { ok: true, request: stripped };
  if (!isChannelName(channel)) return { ok: false, response: jsonError(400, `invalid es_claim channel: use ${CHANNEL_RULE}`) };
  if (!SEGMENT_RE.test(url.pathname)) return { ok: true, request: stripped };
  // The path alone: segment URLs may carry per-viewer tokens in the query, and a lease
  // keyed by them would grant every viewer its own claim.
  const key = url.pathname;
  if (key.length > MAX_LEASE_KEY_CHARS) return { ok: false, response: jsonError(414, "segment path too long to claim") };
  // Same shard as the tracker: a lease only means something to peers who can meet.
  const leases = env.LEASES.getByName(shardName(channel, trackerSharding(env), request.cf));
  const viewer = addressKey(request.headers.get("cf-connecting-ip"));
  // With VIEWER_TOKEN_SECRET set, every /streams, /live and /upstream request reaching this
  // point carried a valid token (worker/index.ts runs viewerAccess first).
  const tokened = Boolean(env.VIEWER_TOKEN_SECRET);
  // Asked before the origin is touched, so a refused claim costs no origin read.
  if (!(await leases.check(key, viewer, tokened)).granted) return { ok: false, response: denied() };
  return { ok: true, request: stripped, lease: { key, viewer, tokened, leases } };
}
