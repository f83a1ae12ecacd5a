// Shared helpers for the origin's workerd tests: authenticated ingest calls through the
// real Worker (exports.default), SHA-256 of served bytes, and small playlist builders.
import { readSizeTagLine } from "../../../shared/hash-tag";
import { env, exports } from "cloudflare:workers";
import type { Env } from "../../../worker/env";

export const TOKEN = "test-ingest-token";
export const BASE = "https://origin.test";

export function ingest(path: string, body: BodyInit | null, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return exports.default.fetch(`${BASE}/ingest/${path}`, { method: init.method ?? "PUT", body, headers });
}

export function get(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, init);
}

export async function sha256(data: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Deterministic fake segment bytes (content is opaque to the origin). */
export function segmentBytes(tag: string, size = 1000): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  const t = new TextEncoder().encode(tag);
  for (let i = 0; i < size; i++) out[i] = (t[i % t.length]! + i) & 0xff;
  return out;
}

export function mediaPlaylist(uris: string[], opts: { seq?: number; end?: boolean; duration?: number; extra?: string[] } = {}): string {
  const d = opts.duration ?? 2;
  const lines = ["#EXTM3U", "#EXT-X-VERSION:3", `#EXT-X-TARGETDURATION:${Math.ceil(d)}`, `#EXT-X-MEDIA-SEQUENCE:${opts.seq ?? 0}`, ...(opts.extra ?? [])];
  for (const u of uris) lines.push(`#EXTINF:${d.toFixed(3)},`, u);
  if (opts.end) lines.push("#EXT-X-ENDLIST");
  return lines.join("\n") + "\n";
}

/** (uri, hash, size) from a playlist, as the client reads them (hash tag directly before the URI, size tag before it). */
export function taggedSegments(text: string): { uri: string; sha256: string | null; bytes: number | null }[] {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const out: { uri: string; sha256: string | null; bytes: number | null }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith("#")) continue;
    const prev = lines[i - 1] ?? "";
    const sha256 = prev.startsWith("#EXT-X-EDGESWARM-SHA256:") ? prev.slice(24) : null;
    const size = sha256 === null ? null : readSizeTagLine(lines[i - 2] ?? "");
    out.push({ uri: l, sha256, bytes: size });
  }
  return out;
}

/** Body as text without workerd's "not text" warning for m3u8 content types. */
export async function textOf(r: Response): Promise<string> {
  return new TextDecoder().decode(await r.arrayBuffer());
}

/** The test Worker's env as the Worker's code types it (vars and secrets optional), so tests can unset one. */
export const testEnv: Env = env;
