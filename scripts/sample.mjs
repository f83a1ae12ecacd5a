// Makes HLS ladders with ffmpeg: the built-in clips (testsrc2 + sine, made once at build
// time into dist/public/streams/<name>/ with a hash manifest) and, as a library, the
// transcode step of scripts/publish.ts. It does not upload anything and does not touch R2:
// the Worker serves the clips straight from static assets.
//
//   node scripts/sample.mjs            # (re)use the cached clips, make those missing
//   node scripts/sample.mjs --force    # remake them
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Bump when the clips' shape changes, so a cached dist/ copy is remade. */
export const SAMPLE_VERSION = 2;

/**
 * The built-in clips (worker/origin/builtin.ts serves each at /streams/<name>/): `sample`,
 * 30 s, the VOD sample and the source of the live loop; `film`, 3 minutes, a library video
 * long enough for an audience spread over it (`bench:swarm --vod`, issue 15).
 */
export const CLIPS = [
  { name: "sample", seconds: 30 },
  { name: "film", seconds: 180 },
];

/** 3 renditions. Small on purpose: the machine that builds it may be a loaded CI box. */
export const DEFAULT_LADDER = [
  { name: "360p", width: 640, height: 360, videoKbps: 700, audioKbps: 64 },
  { name: "240p", width: 426, height: 240, videoKbps: 350, audioKbps: 64 },
  { name: "144p", width: 256, height: 144, videoKbps: 150, audioKbps: 48 },
];

// H.264 Main@3.0 and AAC-LC: what every MSE browser plays. The CODECS strings below must
// match these settings, since hls.js uses them to build the SourceBuffer.
const H264_PROFILE = "main";
const H264_LEVEL = "3.0";
const CODEC_VIDEO = "avc1.4d401e";
const CODEC_AUDIO = "mp4a.40.2";

/** ffmpeg to use: $FFMPEG_PATH, else the binary inside @ffmpeg-installer/ffmpeg. */
export async function ffmpegPath() {
  if (process.env.FFMPEG_PATH) return process.env.FFMPEG_PATH;
  return (await import("@ffmpeg-installer/ffmpeg")).default.path;
}

export function run(cmd, args, { quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      if (!quiet) process.stdout.write(d);
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(err) : reject(new Error(`${cmd} exited ${code}:\n${err.slice(-4000)}`))));
  });
}

/** Whether the input has an audio stream (ffmpeg -i prints its streams on stderr). */
export async function hasAudio(ffmpeg, input) {
  const out = await new Promise((resolve) => {
    const child = spawn(ffmpeg, ["-hide_banner", "-i", input], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", () => resolve(err));
    child.on("error", () => resolve(""));
  });
  return /Stream #\S+.*Audio:/.test(out);
}

/**
 * Transcodes to an aligned HLS ladder in one ffmpeg run (one decode, split N ways):
 * MPEG-TS segments of `segmentSeconds`, a keyframe exactly at every segment boundary in
 * every rendition (-force_key_frames + -g/-keyint_min + -sc_threshold 0), so players can
 * switch bitrate at any segment and peers can share aligned segments.
 * `source` is either { file } or { lavfi: { video, audio, seconds } }. `fmp4` writes
 * fragmented MP4 (init.mp4 + .m4s, EXT-X-MAP) instead of MPEG-TS.
 */
export async function transcodeLadder({ source, outDir, ladder = DEFAULT_LADDER, segmentSeconds = 2, fps = 24, fmp4 = false }) {
  const ffmpeg = await ffmpegPath();
  const inputs = [];
  let audio = true;
  if (source.file) {
    inputs.push("-i", source.file);
    audio = await hasAudio(ffmpeg, source.file);
  } else {
    // -t before each -i: an input option, so every output ends (after -i it would bind
    // to the first output only and the others would run forever on the endless lavfi).
    const t = String(source.lavfi.seconds);
    inputs.push("-f", "lavfi", "-t", t, "-i", source.lavfi.video, "-f", "lavfi", "-t", t, "-i", source.lavfi.audio);
  }
  const n = ladder.length;
  const split = `[0:v:0]fps=${fps},split=${n}${ladder.map((_, i) => `[s${i}]`).join("")}`;
  const scales = ladder.map((r, i) => `[s${i}]scale=${r.width}:${r.height},setsar=1,format=yuv420p[v${i}]`);
  const args = ["-hide_banner", "-loglevel", "error", "-y", ...inputs, "-filter_complex", [split, ...scales].join(";")];
  const gop = Math.round(fps * segmentSeconds);
  for (const [i, r] of ladder.entries()) {
    const dir = join(outDir, r.name);
    mkdirSync(dir, { recursive: true });
    args.push(
      "-map",
      `[v${i}]`,
      ...(audio ? ["-map", source.file ? "0:a:0" : "1:a:0"] : []),
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-profile:v",
      H264_PROFILE,
      "-level",
      H264_LEVEL,
      "-b:v",
      `${r.videoKbps}k`,
      "-maxrate",
      `${Math.round(r.videoKbps * 1.2)}k`,
      "-bufsize",
      `${r.videoKbps * 2}k`,
      "-g",
      String(gop),
      "-keyint_min",
      String(gop),
      "-sc_threshold",
      "0",
      "-force_key_frames",
      `expr:gte(t,n_forced*${segmentSeconds})`,
      ...(audio ? ["-c:a", "aac", "-b:a", `${r.audioKbps}k`, "-ac", "2", "-ar", "48000"] : []),
      "-f",
      "hls",
      "-hls_time",
      String(segmentSeconds),
      "-hls_playlist_type",
      "vod",
      "-hls_list_size",
      "0",
      ...(fmp4 ? ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4"] : []),
      "-hls_segment_filename",
      join(dir, fmp4 ? "seg-%05d.m4s" : "seg-%05d.ts"),
      join(dir, "index.m3u8"),
    );
  }
  await run(ffmpeg, args);
  return { audio, codecs: audio ? `${CODEC_VIDEO},${CODEC_AUDIO}` : CODEC_VIDEO };
}

/** Reads an ffmpeg VOD media playlist: [{ uri, duration }]. */
export function readMediaPlaylist(text) {
  const out = [];
  let duration = null;
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith("#EXTINF:")) duration = Number.parseFloat(t.slice(8));
    else if (t && !t.startsWith("#")) {
      out.push({ uri: t, duration: duration ?? 0 });
      duration = null;
    }
  }
  return out;
}

/**
 * Writes master.m3u8 (BANDWIDTH = peak segment bitrate, AVERAGE-BANDWIDTH, RESOLUTION,
 * CODECS) for a transcoded ladder. With `withHashes`, also rewrites each media playlist
 * with #EXT-X-EDGESWARM-SHA256 tags and writes manifest.json (durations, sizes, hashes):
 * only for content we built ourselves; uploads are hashed by the Worker instead.
 */
export function writeMaster({ outDir, ladder, codecs, withHashes = false }) {
  const renditions = [];
  for (const r of ladder) {
    const dir = join(outDir, r.name);
    const segs = readMediaPlaylist(readFileSync(join(dir, "index.m3u8"), "utf8")).map((s) => {
      const bytes = readFileSync(join(dir, s.uri));
      return { ...s, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
    });
    let peak = 0,
      bytes = 0,
      seconds = 0;
    for (const s of segs) {
      if (s.duration > 0.5) peak = Math.max(peak, (s.size * 8) / s.duration);
      bytes += s.size;
      seconds += s.duration;
    }
    const average = seconds > 0 ? Math.round((bytes * 8) / seconds) : 0;
    renditions.push({
      name: r.name,
      width: r.width,
      height: r.height,
      codecs,
      bandwidth: Math.round(peak || average),
      averageBandwidth: average,
      segments: segs,
    });
    if (withHashes) {
      const target = Math.ceil(Math.max(...segs.map((s) => s.duration)));
      const lines = ["#EXTM3U", "#EXT-X-VERSION:3", `#EXT-X-TARGETDURATION:${target}`, "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD"];
      for (const s of segs) lines.push(`#EXTINF:${s.duration.toFixed(6)},`, `#EXT-X-EDGESWARM-SHA256:${s.sha256}`, s.uri);
      lines.push("#EXT-X-ENDLIST", "");
      writeFileSync(join(dir, "index.m3u8"), lines.join("\n"));
    }
  }
  const master = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"];
  for (const r of renditions) {
    master.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth},AVERAGE-BANDWIDTH=${r.averageBandwidth},RESOLUTION=${r.width}x${r.height},CODECS="${r.codecs}"`,
      `${r.name}/index.m3u8`,
    );
  }
  writeFileSync(join(outDir, "master.m3u8"), master.join("\n") + "\n");
  return renditions;
}

/** Makes one built-in clip once; later builds reuse it (it is deterministic input). */
async function ensureClip({ name, seconds }, force) {
  const dir = join(root, "dist/public/streams", name);
  const manifestPath = join(dir, "manifest.json");
  if (!force && existsSync(manifestPath)) {
    try {
      const m = JSON.parse(readFileSync(manifestPath, "utf8"));
      if (m.version === SAMPLE_VERSION) return { made: false, manifestPath };
    } catch {
      /* corrupt cache: remake below */
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const segmentSeconds = 2;
  const { codecs } = await transcodeLadder({
    source: {
      lavfi: {
        video: "testsrc2=size=640x360:rate=24",
        // A 1 s beep every 2 s marks segment boundaries by ear.
        audio: "sine=frequency=660:beep_factor=2:sample_rate=48000",
        seconds,
      },
    },
    outDir: dir,
    segmentSeconds,
  });
  const renditions = writeMaster({ outDir: dir, ladder: DEFAULT_LADDER, codecs, withHashes: true });
  const manifest = {
    version: SAMPLE_VERSION,
    segmentSeconds,
    renditions: renditions.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      codecs: r.codecs,
      bandwidth: r.bandwidth,
      averageBandwidth: r.averageBandwidth,
      segments: r.segments.map((s) => ({ uri: s.uri, duration: s.duration, size: s.size, sha256: s.sha256 })),
    })),
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + "\n");
  const count = readdirSync(join(dir, DEFAULT_LADDER[0].name)).length;
  console.log(`${name}: made ${DEFAULT_LADDER.length} renditions × ${count - 1} segments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { made: true, manifestPath };
}

/** Makes every built-in clip that is missing or stale (all of them with `force`). */
export async function ensureClips({ force = false } = {}) {
  for (const clip of CLIPS) await ensureClip(clip, force);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await ensureClips({ force: process.argv.includes("--force") });
}
