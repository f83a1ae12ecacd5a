// POST /api/uplink: the uplink probe (shared/uplink-probe.ts). The Worker reads the body,
// counting it (shared/body.ts), drops it and answers 204: the viewer times the upload. It
// stores nothing and costs no egress. Gated like a report: the embed allowlist
// (access/embed.ts) and, with viewer tokens on, a token (access/viewer.ts).
import { readRequestBounded } from "../shared/body";
import { UPLINK_PROBE_MAX_BYTES } from "../shared/uplink-probe";
import { jsonError } from "./http";

export async function handleUplinkProbe(request: Request): Promise<Response> {
  if (request.method !== "POST") return jsonError(405, "use POST", { allow: "POST" });
  // Counted and dropped, never held: only its arrival is timed (by the viewer).
  const body = await readRequestBounded(request, UPLINK_PROBE_MAX_BYTES, false);
  if (!body.ok) return jsonError(413, `probe larger than ${UPLINK_PROBE_MAX_BYTES} bytes`);
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
}
