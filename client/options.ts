// Options for one attached player: what a page may set (data- attributes or attach()), how
// each is checked, and the defaults derived from the script's origin and the stream URL.
// Pure (no DOM access beyond reading a dataset-like record); player.ts applies the result.
import type { UploadSetting } from "./upload-policy";
import { MAX_SWARM_ID } from "./limits";
import { CHANNEL_RE, CHANNEL_RULE, MAX_CHANNEL_CHARS } from "../shared/names";
import { MAX_TOKEN_CHARS } from "../shared/viewer-token";
import { isTokenShaped, withToken } from "./viewer-token";

export interface AttachOptions {
  /** WebSocket tracker URL (ws:/wss:). Default: wss://<script origin>/announce/<channel>. */
  tracker?: string;
  /** Swarm id shared by every viewer of the stream. Default: manifest URL without query/fragment. */
  swarmId?: string;
  /** Tracker channel / stats stream name. Default: from /streams/<name>/ or /live/<name>/, else a hash. */
  channel?: string;
  /** false: plain hls.js over HTTP, no peers. */
  p2p?: boolean;
  /** "auto" (default: off on Save-Data or cellular), "on", "off". */
  upload?: UploadSetting;
  /** Show a small overlay with live figures over the video. */
  debug?: boolean;
  /** Report counters to the Worker (default true), or the report URL to use. */
  report?: boolean | string;
  /** WebRTC configuration; default has no ICE servers (no STUN leaves the page unless you set it). */
  rtcConfig?: RTCConfiguration;
  /** Extra hls.js config, merged over EdgeSwarm's tuned defaults (loaders excepted). */
  hlsConfig?: Record<string, unknown>;
  /** Overrides of the p2p-media-loader core config (see engine-config.ts), e.g. time windows. */
  coreConfig?: Record<string, unknown>;
  /** Origin of the EdgeSwarm Worker; default: where the script was loaded from. */
  workerOrigin?: string;
  /** Viewer token (a JWT from the site's backend) sent as `?token=` on every request to the Worker. */
  token?: string;
  /** Test builds only: corrupt every segment this viewer uploads (compiled out of edgeswarm.js). */
  testCorruptUploads?: boolean;
}

export interface ResolvedOptions {
  src: string;
  /** Base URL of the client's optional modules (extras.ts): the script's own URL, or the
   * Worker's /edgeswarm.js when the page named the Worker or the script's URL is unknown. */
  assets: string;
  /** With the token already on it when it is the Worker's. */
  tracker: string;
  swarmId: string;
  channel: string;
  p2p: boolean;
  upload: UploadSetting;
  debug: boolean;
  /** With the token already on it when it is the Worker's. */
  reportUrl: string | null;
  /** Origin of the Worker: the only one that gets the viewer token. */
  workerOrigin: string;
  token: string | null;
  rtcConfig: RTCConfiguration;
  hlsConfig: Record<string, unknown>;
  coreConfig: Record<string, unknown>;
  testCorruptUploads: boolean;
}

/** /streams/<name>/… or /live/<name>/… on a Worker: the name is the channel. */
const STREAM_PATH_RE = new RegExp(`^/(?:streams|live)/(${CHANNEL_RULE})/`);

/** A problem with one option; the option falls back to its default and playback goes on. */
export interface OptionProblem {
  option: string;
  reason: string;
}

function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (s === "" || s === "on" || s === "true" || s === "1" || s === "yes") return true;
  if (s === "off" || s === "false" || s === "0" || s === "no") return false;
  return undefined;
}

/**
 * Reads data- attributes (as `element.dataset` gives them, camel-cased) into options.
 * Video attributes win over the script tag's, so one page can tune a single player.
 */
export function optionsFromDataset(...sets: Array<Record<string, string | undefined> | undefined>): { options: AttachOptions; problems: OptionProblem[] } {
  const merged: Record<string, string | undefined> = {};
  for (const s of sets) if (s) for (const [k, v] of Object.entries(s)) if (v !== undefined) merged[k] = v;
  const options: AttachOptions = {};
  const problems: OptionProblem[] = [];
  const bool = (key: string, attr: string, set: (b: boolean) => void) => {
    if (merged[key] === undefined) return;
    const b = parseBool(merged[key]);
    if (b === undefined) problems.push({ option: attr, reason: "use on/off" });
    else set(b);
  };
  if (merged.tracker !== undefined) options.tracker = merged.tracker;
  if (merged.swarmId !== undefined) options.swarmId = merged.swarmId;
  if (merged.channel !== undefined) options.channel = merged.channel;
  if (merged.token !== undefined) options.token = merged.token;
  bool("p2p", "data-p2p", (b) => (options.p2p = b));
  bool("debug", "data-debug", (b) => (options.debug = b));
  if (merged.upload !== undefined) {
    const u = merged.upload.trim().toLowerCase();
    const b = parseBool(u);
    if (u === "auto") options.upload = "auto";
    else if (b !== undefined) options.upload = b ? "on" : "off";
    else problems.push({ option: "data-upload", reason: "use auto/on/off" });
  }
  if (merged.report !== undefined) {
    const b = parseBool(merged.report);
    options.report = b ?? merged.report;
  }
  if (merged.stun !== undefined) {
    const urls = merged.stun.split(/[\s,]+/).filter(Boolean);
    if (urls.every((u) => /^(stun|stuns|turn|turns):/.test(u))) options.rtcConfig = { iceServers: urls.map((u) => ({ urls: u })) };
    else problems.push({ option: "data-stun", reason: "comma-separated stun:/turn: URLs" });
  }
  if (merged.testCorruptUploads !== undefined) options.testCorruptUploads = parseBool(merged.testCorruptUploads) ?? false;
  return { options, problems };
}

/** The manifest URL without query and fragment: per-viewer tokens must not split the swarm. */
export function defaultSwarmId(src: string): string {
  const u = new URL(src);
  return `${u.origin}${u.pathname}`;
}

/** FNV-1a 32-bit twice with different seeds: a short, stable, sync hash for channel names. */
export function shortHash(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return a.toString(36) + b.toString(36);
}

/** Channel from a Worker stream path (/streams/<name>/… or /live/<name>/…), else h<hash of swarm id>. */
export function defaultChannel(src: string, swarmId: string): string {
  const m = STREAM_PATH_RE.exec(new URL(src).pathname);
  if (m?.[1]) return m[1];
  return `h${shortHash(swarmId)}`.slice(0, MAX_CHANNEL_CHARS);
}

/** Fills defaults and checks every option; a bad option is reported and replaced by its default. */
export function resolveOptions(src: string, opts: AttachOptions, scriptUrl: string | undefined): { resolved: ResolvedOptions; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const base = typeof location !== "undefined" ? location.href : undefined;
  let abs: string;
  try {
    abs = new URL(src, base).href;
  } catch {
    throw new TypeError(`edgeswarm: not a URL: ${String(src).slice(0, 200)}`);
  }
  let origin: string | undefined;
  const originSource = opts.workerOrigin ?? scriptUrl;
  try {
    if (originSource) origin = new URL(originSource, base).origin;
  } catch {
    problems.push({ option: "workerOrigin", reason: "not a URL" });
  }
  origin ??= new URL(abs).origin;
  let assets = `${origin}/edgeswarm.js`;
  if (opts.workerOrigin === undefined && scriptUrl && origin === new URL(scriptUrl, base).origin) assets = new URL(scriptUrl, base).href;

  let swarmId = defaultSwarmId(abs);
  if (opts.swarmId !== undefined) {
    if (typeof opts.swarmId === "string" && opts.swarmId.length > 0 && opts.swarmId.length <= MAX_SWARM_ID) swarmId = opts.swarmId;
    else problems.push({ option: "swarmId", reason: `1..${MAX_SWARM_ID} characters` });
  }
  let channel = defaultChannel(abs, swarmId);
  if (opts.channel !== undefined) {
    if (CHANNEL_RE.test(opts.channel)) channel = opts.channel;
    else problems.push({ option: "channel", reason: `must match ${CHANNEL_RULE}` });
  } else if (opts.swarmId !== undefined && swarmId === opts.swarmId) {
    // An explicit swarm id names the stream; viewers with the same id must share a channel.
    channel = CHANNEL_RE.test(swarmId) ? swarmId : `h${shortHash(swarmId)}`;
  }
  let token: string | null = null;
  if (opts.token !== undefined) {
    if (isTokenShaped(opts.token)) token = opts.token;
    else problems.push({ option: "token", reason: `up to ${MAX_TOKEN_CHARS} characters of A-Z a-z 0-9 . _ -` });
  }
  const wsOrigin = origin.replace(/^http/, "ws");
  /** An absolute URL with one of `protocols`, or undefined with the problem recorded. */
  const urlOption = (option: string, value: string, protocols: string[], reason: string, unparsable = reason): string | undefined => {
    let u: URL;
    try {
      u = new URL(value, base);
    } catch {
      problems.push({ option, reason: unparsable });
      return undefined;
    }
    if (protocols.includes(u.protocol)) return u.href;
    problems.push({ option, reason });
    return undefined;
  };
  let tracker = `${wsOrigin}/announce/${channel}`;
  if (opts.tracker !== undefined) tracker = urlOption("tracker", opts.tracker, ["ws:", "wss:"], "must be a ws: or wss: URL", "not a URL") ?? tracker;
  let reportUrl: string | null = `${origin}/api/report`;
  if (opts.report === false) reportUrl = null;
  else if (typeof opts.report === "string") reportUrl = urlOption("report", opts.report, ["http:", "https:"], "must be an http(s) URL or on/off") ?? reportUrl;
  // A page's own tracker or report endpoint on another origin never sees the token.
  tracker = withToken(tracker, token, origin);
  if (reportUrl) reportUrl = withToken(reportUrl, token, origin);
  const upload = opts.upload === "on" || opts.upload === "off" || opts.upload === "auto" ? opts.upload : "auto";
  if (opts.upload !== undefined && upload !== opts.upload) problems.push({ option: "upload", reason: "auto, on or off" });
  const rtcConfig = opts.rtcConfig && typeof opts.rtcConfig === "object" ? opts.rtcConfig : { iceServers: [] };
  return {
    resolved: {
      src: abs,
      assets,
      tracker,
      swarmId,
      channel,
      p2p: opts.p2p !== false,
      upload,
      debug: opts.debug === true,
      reportUrl,
      workerOrigin: origin,
      token,
      rtcConfig,
      hlsConfig: opts.hlsConfig ?? {},
      coreConfig: opts.coreConfig ?? {},
      testCorruptUploads: opts.testCorruptUploads === true,
    },
    problems,
  };
}
