// The claim wire format between a viewer and the Worker's lease (worker/lease/): a viewer
// that wants a segment *ahead* of its playhead asks for it with `?es_claim=<channel>`. The
// Worker serves the first such request for a segment in the swarm, marked
// `x-edgeswarm-claim: granted`, and answers every later one with a body-less 204 marked
// `denied`. A response without the mark comes from an origin that ignores claims.
// Pure: URL and header strings only.

/** Query parameter by which a client asks for a claim: `?es_claim=<channel>`. */
export const CLAIM_PARAM = "es_claim";
/** Response header with the Worker's answer to a claim. */
export const CLAIM_HEADER = "x-edgeswarm-claim";

export type ClaimAnswer = "granted" | "denied";
/** "unmarked": served without an answer, so this origin is not an EdgeSwarm Worker. */
export type ClaimReading = ClaimAnswer | "unmarked";

/** Appends the claim parameter, keeping any query the segment URL already has (tokens). */
export function claimUrl(url: string, channel: string): string {
  const u = new URL(url);
  u.searchParams.set(CLAIM_PARAM, channel);
  return u.toString();
}

/** What a response says about a claim. */
export function readClaimAnswer(headers: { get(name: string): string | null }): ClaimReading {
  const v = headers.get(CLAIM_HEADER);
  return v === "granted" || v === "denied" ? v : "unmarked";
}
