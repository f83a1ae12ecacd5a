// Every number the client's behaviour rests on, each with the reason it has its value:
// scheduling windows, timeouts, budgets, retry gaps, upload slots, claim and re-announce
// policy. Values only; the modules named beside each use them. Numbers both client and
// Worker must agree on live in shared/limits.ts. test/unit/client/limits.test.ts checks the
// relations between them that behaviour depends on.

// --- p2p-media-loader-core scheduling (engine-config.ts, scheduling/window-policy.ts) ------

/**
 * Core windows before the playlist is known. Stock treats the next 15 s as "high demand"
 * (HTTP first), so on a 6 × 2 s live window nearly every byte goes over HTTP (origin-metered
 * offload ≈ 0). With a 2 s high-demand window, HTTP prefetch to 6 s and P2P prefetch to 30 s,
 * the same run reached ~0.91 of ideal offload (FIELD-NOTES). windowsFor then sizes them for
 * the stream's target duration; these are also its floors.
 */
export const HIGH_DEMAND_S = 2;
export const HTTP_WINDOW_S = 6;
export const P2P_WINDOW_S = 30;
/** HTTP fetches at once: the segment needed now plus one prefetch. */
export const SIMULTANEOUS_HTTP = 2;
/** Peer downloads at once: a few holders in parallel, each a full segment transfer. */
export const SIMULTANEOUS_P2P = 3;
/** A peer that stops sending for 2 s is abandoned for HTTP; short because the playhead is close. */
export const P2P_SILENCE_MS = 2_000;
/** An HTTP fetch that stops sending for 3 s is retried (the origin is slow or gone). */
export const HTTP_SILENCE_MS = 3_000;
/** Retries of a failed segment per source before the core gives up on it. */
export const HTTP_RETRIES = 3;
export const P2P_RETRIES = 3;

/** Live high-demand window in target durations while HTTP is fast (windowsFor). */
export const LIVE_HIGH_DEMAND_SEGMENTS = 1.5;
/**
 * VOD high-demand window in target durations: with a 4 s buffer, re-fetching a rejected
 * peer segment over HTTP stalled the victim in 3 of 7 browser runs on a loaded machine.
 */
export const VOD_HIGH_DEMAND_SEGMENTS = 3;
/** Ceiling of the live high-demand window, in target durations, however slow HTTP gets. */
export const LIVE_HIGH_DEMAND_MAX_SEGMENTS = 4;
/** HTTP prefetch beyond the high-demand window for VOD, in target durations. */
export const VOD_HTTP_EXTRA_SEGMENTS = 2;
/** P2P prefetch beyond the high-demand window, in target durations. */
export const P2P_EXTRA_SEGMENTS = 10;
/** Target durations above this are treated as this (a broken playlist must not size windows in hours). */
export const MAX_TARGET_DURATION_S = 30;
/** Target duration assumed when a playlist gives none (or nonsense): the common live value. */
export const DEFAULT_TARGET_DURATION_S = 2;
/** Windows are rounded up to this many seconds, so the core is not reconfigured for every jitter. */
export const WINDOW_STEP_S = 0.5;
/**
 * Floor of the joining window (joinHighDemand, live and VOD), in target durations. Its
 * "twice the first fetch" is timed on one fetch: on a fast origin that leaves a tenth of a
 * second for a slow first byte, and the swarm simulator's stall at 100,000 viewers
 * (docs/sim.md) was such a joiner's second segment, fetched on a 1.5 s window for 4 s
 * segments and 1 ms late. Half a segment (2 s there) left no HTTP fetch of a second segment
 * under 0.8 s of slack at 10,000 viewers (was 0.26 s) at the same offload; 2 s segments keep
 * their 1.5 s window.
 */
export const JOIN_HIGH_DEMAND_MIN_SEGMENTS = 0.5;
/** A live viewer is joining until the core has delivered this many segments (windowsFor). */
export const JOIN_SEGMENTS = 2;
/**
 * A VOD viewer is joining until the core has delivered this many segments: the steady window
 * (VOD_HIGH_DEMAND_SEGMENTS) plus the one playing. The core sends every segment inside the
 * high-demand window over HTTP at once; a viewer that widened to 3 segments after 2 sent the
 * next 2 over HTTP 0.1 s after its first peer connected, while that peer held them
 * (`bench:swarm --vod`, Node, 2026-12-03). Joining, it holds each one back for peers until
 * HTTP can only just fetch it (joinHighDemand), one HTTP fetch at a time.
 */
export const VOD_JOIN_SEGMENTS = 4;
/** On playback updates alone, p2p-media-loader-core revisits its queue at most once a second. */
export const CORE_REVISIT_S = 1;

/** HTTP fetch times remembered (http-timing.ts): a few segments' worth, so one slow fetch widens the window for ~10 s. */
export const RECENT_FETCHES = 6;
/** HTTP fetches started but not finished tracked at once (aborted ones never finish). */
export const MAX_OPEN_FETCHES = 16;

// --- hls.js (engine-config.ts HLS_TUNING, player.ts) -------------------------------------

/** Retry segment loads patiently: a P2P→HTTP switch or a tracker hiccup must not become fatal. */
export const FRAG_FIRST_BYTE_MS = 10_000;
export const FRAG_LOAD_MS = 30_000;
export const FRAG_TIMEOUT_RETRIES = 4;
export const FRAG_ERROR_RETRIES = 6;
export const FRAG_RETRY_MIN_MS = 500;
export const FRAG_RETRY_MAX_MS = 4_000;
/** Fatal hls.js errors recovered (startLoad / recoverMediaError) before one is passed on as fatal; reset by every buffered fragment. */
export const HLS_RECOVERIES = 5;

// --- stats (plugins/stats.ts) ---------------------------------------------------------------

/** The `stats` event and the debug overlay refresh this often. */
export const STATS_TICK_MS = 1_000;

// --- tracker health (tracker-watch.ts, plugins/tracker-health.ts) --------------------------

/** How soon to probe after the tracker fails, and the ceiling of the back-off. */
export const TRACKER_PROBE_MIN_MS = 2_000;
export const TRACKER_PROBE_MAX_MS = 60_000;
/** A probe socket that has not opened after this long counts as a failed probe. */
export const TRACKER_PROBE_TIMEOUT_MS = 5_000;
/**
 * Gap between tearing down the old tracker clients and starting new ones, so the tracker has
 * seen the old socket close before the same peer_id announces again (bittorrent-tracker waits
 * up to 1 s for a reply before it closes a socket).
 */
export const TRACKER_RESTART_GAP_MS = 1_500;
/** Failures are ignored this much longer than the restart gap: the closes it causes are ours. */
export const TRACKER_RESTART_QUIET_EXTRA_MS = 500;
/** How long the tracker must stay up before failures count as new (the back-off restarts). */
export const TRACKER_STABLE_MS = 60_000;

// --- re-announce while peerless (reannounce.ts, tracker-client.ts) --------------------------

export const REANNOUNCE = {
  /** First re-announce this long after the last announce: the offers of that announce have
   * had time to be answered and connect (0.1–1 s on real links) and did not. */
  firstS: 2,
  /** Ceiling of the back-off. Each announce costs the tracker ~11 frames (the announce, five
   * relayed offers, their answers); every 30 s per peerless viewer is noise beside playback. */
  maxS: 30,
  /** A connection that lasted this long was a working peer: its loss resets the back-off.
   * Five segments of a 2 s live stream; a lying peer is dropped on its first segment. */
  stableS: 10,
} as const;
/** How often the live tracker clients are checked; re-announce delays are whole seconds. */
export const REANNOUNCE_TICK_MS = 1_000;

// --- edge seeding (seeder.ts, plugins/edge-seeding.ts) -----------------------------------

/**
 * Seconds beyond the player's buffer horizon (hls.js asks for nothing further ahead) a
 * segment must start for us to claim it; covers the claim's own HTTP round trip.
 */
export const SEED_MARGIN_S = 0.5;
/** Claims in flight at once: one segment appears per target duration, two covers a catch-up. */
export const SEED_MAX_IN_FLIGHT = 2;
/** Segment URLs remembered as already claimed (won or lost), so each is asked for once. */
export const SEED_MAX_TRIED = 512;
/** Won segments whose bytes stay ready for the core's own request (handover): a few target
 * durations' worth, since the core asks within seconds of a win or never. */
export const SEED_MAX_HANDOVER = 8;
/** A handover's blob: URL is revoked after this long; the core fetches it at once. */
export const HANDOVER_URL_LIFETIME_MS = 60_000;
/**
 * Longest a core request waits for a claim still in flight before fetching for itself. A
 * 2 s live segment arrives in well under a second on any link the player can keep up on;
 * a claim slower than this is stuck, and a claim may cost bytes but never a stall.
 */
export const HANDOVER_WAIT_MS = 2_000;
/** URLs of handed-over segments remembered until the core reports them loaded (their
 * `segment` event went out when won); far more than can be in flight at once. */
export const MAX_HANDED = 64;
/** hls.js fragment loads and core requests remembered to pair a level with the core's
 * stream id (seed-bridge.ts): a few segments, since both arrive within milliseconds. */
export const STREAM_ID_PAIRING_WINDOW = 8;

export const CLAIM_POLICY = {
  /**
   * Seconds after a win within which some upload must follow for the win to count as taken.
   * A live segment is claimed 6–8 s before its viewers play it and they fall back to HTTP
   * about 3 s before; a peer that has not asked within 8 s will not.
   */
  takeWindowS: 8,
  /** Consecutive untaken wins after which claiming pauses. Two, so one unlucky segment (its
   * takers found it elsewhere first) does not stop a good uploader. */
  untakenStreak: 2,
  /** How long claiming pauses after such a streak, unless a new peer connects first. */
  pauseS: 30,
  /** Seconds from the first question during which a viewer with no peer yet still claims.
   * The first viewer's peers arrive within seconds of the next join (0.1–1 s to connect). */
  aloneS: 10,
} as const;

/**
 * The uplink probe (uplink-probe.ts, shared/uplink-probe.ts): two uploads to the Worker, timed,
 * before this viewer serves any peer. The gauge below learns the uplink only from uploads
 * peers gave up on: in the lab's weak-first runs its verdict came 10–40 s in, after the weak
 * viewer had won claims and sent ~0.6–1.2 MB nobody used (docs/fetchers.md).
 */
export const UPLINK_PROBE = {
  /**
   * The first upload: its time is a round trip plus whatever a token bucket passes at once
   * (the lab's tbf: 32 KiB and 400 ms of queue; real links have buckets too), so the second
   * upload's extra bytes over its extra time are the sending rate. Where a bucket refills
   * between the two, a slow link reads low by up to warmBytes / bytes (0.4), and a fast one
   * may read far above its rate (the lab's cable, 366 KiB/s, read 228–5,517 KiB/s): the
   * figure only says whether the uplink is below the bar (WEAK_UPLINK.share).
   */
  warmBytes: 32_768, // 32 KiB (literals: esbuild keeps an unused `32 * 1024` in the main bundle)
  /**
   * The second upload: its 48 KiB beyond the first take 1.3 s of a 0.3 Mbit/s uplink (less:
   * it stops once below the bar, probeUplink) and 0.13 s of cable's 3 Mbit/s.
   */
  bytes: 81_920, // 80 KiB
  /** Both uploads together may take this long; past it the rate is at most what was sent by then. */
  timeoutS: 6,
  /** It starts at the viewer's third segment (the player then holds two ahead), or `maxWaitS` after the first. */
  afterSegments: 3,
  maxWaitS: 10,
} as const;

/**
 * When a viewer's uplink is too slow to be anyone's source (claim-policy.ts SlowUplink): it
 * then neither claims nor uploads. Measured in the network lab's weak-first profile (a
 * 0.3 Mbit/s uplink on a 0.85 Mbit/s stream, docs/fetchers.md "Status"): none of the
 * weak viewer's uploads reached a peer before the peer gave up and fetched over HTTP, and
 * those uploads filled its uplink, where the acknowledgements of its own downloads queue.
 */
export const WEAK_UPLINK = {
  /**
   * A sending rate below this share of the stream's bytes per second is too slow: such a
   * viewer needs more than two segment durations to hand one peer one segment, while a live
   * segment has ~3–5 s between its publication and the askers' HTTP fallback (a 2 s segment
   * at 0.3 Mbit/s on a 0.85 Mbit/s stream: 5.7 s, rate 0.35). Not the Worker's 1.0
   * (FETCHER_CAPABLE_SHARE, "can feed a peer in real time"): that bar picks fetchers, this one
   * only stops a viewer whose uploads arrive too late to be used, and the lab's dsl (1 Mbit/s,
   * ~1.05 of the stream as measured) must stay an uploader.
   */
  share: 0.5,
  /**
   * Once found too slow, it stays off this long: with uploads off nothing measures the
   * uplink again, and each new try costs the peers that ask it a fallback. Two minutes:
   * far longer than a segment's life in the swarm, short beside a viewing session.
   */
  holdS: 120,
  /** A gap longer than this between messages to one peer starts a new upload (at 0.3 Mbit/s a 64 KB drain takes 1.7 s). */
  gapS: 3,
  /** Messages written less than this apart went in together (the same tick), not one per 64 KB drain. */
  tickS: 0.01,
  /**
   * How long uploads to a peer run before their silence counts: an uplink at the bar sends
   * the first 64 KB after a burst within 64 KB / (0.5 × stream), 1.2 s for the lab's
   * 0.85 Mbit/s stream, and then shows its rate.
   */
  judgeS: 2,
  /** Rates older than this are forgotten (the report window, REPORT_WINDOW_S). */
  windowS: 60,
  /** Drain rates kept: a minute of a 100 Mbit/s uplink's drains is ~11,000; a few hundred give the median. */
  maxSamples: 256,
  /** Uploads to this many peers must have been judged: one slow receiver must not make a good uplink look slow. */
  minPeers: 2,
  /** A message this size is a whole one (p2p-media-loader-core's webRtcMaxMessageSize, 64 KiB − 1, which the client leaves as is); a segment's last one is smaller. */
  messageBytes: 65_535,
} as const;

// --- segment store and uploads (segment-store.ts) ------------------------------------------

/** Seconds of media kept behind the playhead: enough for peers a little behind us. */
export const KEEP_BEHIND_S = 60;
/** Byte ceiling when the core's config sets none (segmentMemoryStorageLimit is in MiB). */
export const DEFAULT_LIMIT_MIB = 256;
/**
 * Most peer uploads served at once (upload-slots.ts starts at 1 and grows towards this).
 * p2p-media-loader serves every request at once, so a new live segment's only holder splits
 * its uplink over all the peers asking, and on a slow uplink none of them finishes before its
 * HTTP fallback (measured with 1 Mbit/s uplinks: most segments fetched 3–4 times). Whole
 * segments relay store-and-forward: holders double per transfer time only if each transfer
 * runs at the full rate one connection can carry. So more uploads at once only while the
 * uplink carries each at that rate: 8 fills a 100 Mbit/s uplink with WebRTC connections of
 * ~10 Mbit/s each, beyond what most viewers' askers (3 downloads each) ever keep busy.
 */
export const MAX_PARALLEL_UPLOADS = 8;
/**
 * Whole uploads per decision of upload-slots.ts: more than one, so one slow receiver (its
 * downlink, its path) does not decide alone; few, so a fast uplink reaches its slots while a
 * flash crowd is still joining (the swarm simulator at 10,000 viewers: 4 gave 0.005 less
 * offload than 2) and a falling uplink is seen within a couple of uploads.
 */
export const UPLOAD_SLOTS_SAMPLES = 2;
/**
 * Shared uploads slower than this share of one upload alone mean the uplink is full: fewer
 * slots. 0.8 leaves room for the noise of real links; a 20 Mbit/s uplink serving three
 * ~10 Mbit/s connections runs each at 0.67 of one alone and goes back to two.
 */
export const UPLOAD_SLOTS_KEEP = 0.8;
/**
 * One more slot only if, were the uplink already full, each upload would still move this many
 * seconds of media per second. Slow uplinks never try: a 5 Mbit/s uplink sends a 3 Mbit/s
 * stream at 1.7, so two at once would go at 0.8, each slower than real time, and arrive after
 * the askers' HTTP fallback. Conservative for high bitrates (a 20 Mbit/s uplink on a 6 Mbit/s
 * stream stays at one).
 */
export const UPLOAD_SLOTS_MIN_SPEED = 1.5;
/** After the uplink proved full, no more slots for this long: each failed try slows one decision's uploads. */
export const UPLOAD_SLOTS_HOLD_S = 60;
/** An upload whose bytes stop going out (the asker cancelled, or left) frees its slot after this. */
export const UPLOAD_STALE_MS = 4_000;

// --- integrity and options (integrity.ts, options.ts) ----------------------------------------

/** Live playlists add segments forever; older hashes are forgotten past this many. */
export const MAX_HASHES = 4096;
/** Longest swarm id accepted from the page (it becomes part of every tracker info_hash input). */
export const MAX_SWARM_ID = 512;

// --- Fetcher roles (fetcher-role.ts; the shard's side is worker/tracker/roles.ts) ---------

/**
 * Whether the seeder acts on the shard's "roles" (fetch its classes, never claim otherwise).
 * Off for now: viewers report and shards plan, but seeding stays with edge claims until the
 * network lab shows roles at least as good on every profile. In this build's first lab runs
 * roles gave 0.628–0.647 on cable (claims: 0.652–0.699 in earlier runs) and did not help a weak first viewer
 * (docs/fetchers.md, "Status").
 */
export const APPLY_FETCHER_ROLES = false;

/** Report period until the shard's first es_role says its own (report_s). Same as the Worker's VIEWER_REPORT_S. */
export const VIEWER_REPORT_DEFAULT_S = 15;

/** The first report goes out this long after attach: enough for the first announce and a segment or two. */
export const REPORT_FIRST_MS = 5_000;

/** Upload rates are over the last minute, as the fetcher policy's FETCHER_GRACE_MS assumes. */
export const REPORT_WINDOW_S = 60;

/**
 * An upload is timed from the core's request for the bytes to its last chunk written into the
 * data channel, which keeps up to 64 KB queued: a small segment may seem to leave at once, so
 * none counts as faster than this.
 */
export const MIN_SEND_MS = 100;
