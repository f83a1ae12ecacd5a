// The tracker info_hash a virtual viewer (harness/virtual-viewer) announces for a stream, as
// p2p-media-loader-core 2.3.1 derives it: swarm id = the master playlist URL without its query
// (core.ts setManifestResponseUrl), stream id = "main-" + generateStreamShortId(rendition),
// info_hash = getStreamHash("v2-<swarm id>-<stream id>") (tracker-client.ts). The core's own
// functions do the hashing, so a flood aimed with this hits the swarm a viewer joins; the
// bench and the test also check it against the info_hash the viewer really announced.
// It does not fetch anything but the master playlist, and knows only the "highest" rendition
// pick the virtual viewer makes by default.
import { parseMasterPlaylist } from "../virtual-viewer/hls-playlist.ts";
import { installCoreGlobals } from "../virtual-viewer/node-globals.ts";

interface CoreHashing {
  generateStreamShortId: (p: Record<string, unknown>) => string;
  getStreamSwarmId: (swarmId: string, stream: { type: string; index: string }) => string;
  getStreamHash: (streamSwarmId: string) => string;
}

async function coreHashing(): Promise<CoreHashing> {
  await installCoreGlobals();
  const entry = import.meta.resolve("p2p-media-loader-core");
  const stream = (await import(new URL("./utils/stream.js", entry).href)) as Pick<CoreHashing, "generateStreamShortId" | "getStreamSwarmId">;
  const peer = (await import(new URL("./utils/peer.js", entry).href)) as Pick<CoreHashing, "getStreamHash">;
  return { generateStreamShortId: stream.generateStreamShortId, getStreamSwarmId: stream.getStreamSwarmId, getStreamHash: peer.getStreamHash };
}

/** The info_hash of the highest rendition of `masterUrl`, as a virtual viewer of that URL announces it. */
export async function viewerInfoHash(masterUrl: string): Promise<string> {
  const r = await fetch(masterUrl);
  const text = await r.text();
  if (!r.ok) throw new Error(`${masterUrl}: HTTP ${r.status}`);
  const parsed = parseMasterPlaylist(text, r.url || masterUrl);
  if (!parsed.ok) throw new Error(`${masterUrl}: ${parsed.reason}`);
  const v = [...parsed.value].sort((a, b) => a.bandwidth - b.bandwidth).at(-1);
  if (!v) throw new Error(`${masterUrl}: no rendition`);
  const h = await coreHashing();
  const index = h.generateStreamShortId({
    bitrate: v.bandwidth,
    codecs: v.videoCodec,
    width: v.width,
    height: v.height,
    frameRate: v.frameRate,
    videoRange: v.videoRange,
  });
  return h.getStreamHash(h.getStreamSwarmId((r.url || masterUrl).split("?")[0]!, { type: "main", index }));
}
