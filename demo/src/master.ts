// Reads the renditions of an HLS master playlist for the viewer's Quality picker. Each
// rendition is its own swarm (p2p-media-loader keys swarms by playlist), so two viewers
// whose ABR picked different renditions share nothing; pinning both to one rendition is
// how a person (or a test) watches a swarm form. Pure: text in, variants out. The playlist
// is outside input, so the parse is bounded and every URI is resolved and checked.

export interface Variant {
  /** Absolute URL of the media playlist. */
  url: string;
  /** Peak bits per second from BANDWIDTH. */
  bandwidth: number;
  /** "640x360" or "" when the playlist does not say. */
  resolution: string;
  /** Short name for the picker and the page URL: "360p", else "<kbit/s>k". */
  label: string;
}

export type MasterParse = { ok: true; variants: Variant[] } | { ok: false; reason: string };

const MAX_VARIANTS = 20; // real ladders have 3–10; more is a broken or hostile playlist
const MAX_TEXT = 256 * 1024;

function attr(line: string, name: string): string | undefined {
  // Attribute lists are NAME=value pairs split on commas outside quotes (RFC 8216 4.2).
  const m = line.match(new RegExp(`(?:^|,|:)${name}=("[^"]*"|[^,]*)`));
  return m ? m[1]!.replace(/^"|"$/g, "") : undefined;
}

export function parseMaster(text: string, baseUrl: string): MasterParse {
  if (text.length > MAX_TEXT) return { ok: false, reason: "playlist is too large" };
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") return { ok: false, reason: "not an HLS playlist (no #EXTM3U)" };
  const variants: Variant[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const uri = lines.slice(i + 1).find((l) => l !== "" && !l.startsWith("#"));
    if (!uri) continue;
    let url: URL;
    try {
      url = new URL(uri, baseUrl);
    } catch {
      continue;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") continue;
    if (seen.has(url.href)) continue;
    const bandwidth = Number(attr(line, "BANDWIDTH"));
    if (!Number.isFinite(bandwidth) || bandwidth <= 0) continue;
    const res = attr(line, "RESOLUTION") ?? "";
    const resolution = /^\d{1,5}x\d{1,5}$/.test(res) ? res : "";
    const label = resolution ? `${resolution.split("x")[1]}p` : `${Math.round(bandwidth / 1000)}k`;
    seen.add(url.href);
    variants.push({ url: url.href, bandwidth, resolution, label });
    if (variants.length >= MAX_VARIANTS) break;
  }
  // Lowest first: the order people read a ladder in.
  variants.sort((a, b) => a.bandwidth - b.bandwidth);
  return { ok: true, variants };
}

/** The variant a `?q=` value names, by label ("360p"); undefined for auto or no match. */
export function pickVariant(variants: readonly Variant[], q: string | null): Variant | undefined {
  if (!q || q === "auto") return undefined;
  return variants.find((v) => v.label === q);
}
