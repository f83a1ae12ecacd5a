// Each stats limit holds the relation its comment claims.
import { describe, expect, it } from "vitest";
import * as S from "../../../shared/limits";
import { CHANNEL_RE, VIEWER_ID_RE } from "../../../shared/names";
import { parseReport } from "../../../shared/stats-report";
import * as W from "../../../worker/stats/limits";

const L = { ...S, ...W, STREAM_NAME_RE: CHANNEL_RE, VIEWER_ID_RE };

describe("stats limits", () => {
  it("MAX_REPORT_BYTES leaves room for the largest valid report", () => {
    const big = {
      v: 1,
      stream: "s".repeat(64),
      viewer: "v".repeat(64),
      http: Number.MAX_SAFE_INTEGER,
      p2p: Number.MAX_SAFE_INTEGER,
      up: Number.MAX_SAFE_INTEGER,
      peers: L.MAX_PEERS,
      errors: {
        "p2p-hash-mismatch": Number.MAX_SAFE_INTEGER,
        "p2p-hash-unknown": Number.MAX_SAFE_INTEGER,
        "p2p-failed": Number.MAX_SAFE_INTEGER,
        "http-failed": Number.MAX_SAFE_INTEGER,
      },
      // The longest a peer_id can be in JSON: 20 control chars, each escaped as \u00XX.
      peer: "\u0001".repeat(20),
    };
    expect(parseReport(big).ok).toBe(true);
    expect(JSON.stringify(big).length).toBeLessThan(L.MAX_REPORT_BYTES / 2);
  });

  it("MAX_MEDIA_BYTES_PER_S × DOWNLOAD_HEADROOM lets a 40 Mbit/s 4K stream fetched twice over through", () => {
    expect(L.MAX_MEDIA_BYTES_PER_S * 8).toBeGreaterThanOrEqual(40e6);
    expect(L.DOWNLOAD_HEADROOM).toBeGreaterThanOrEqual(2);
  });

  it("JOIN_ALLOWANCE_S covers a full forward buffer and a refused first report retried", () => {
    // hls.js fills up to 60 s of buffer at start; the reporter's first report comes 5 s in and
    // a refused one is retried after 10 s, then 20 s.
    expect(L.JOIN_ALLOWANCE_S).toBeGreaterThanOrEqual(60 + (L.REPORT_INTERVAL_MS * 7) / 1000);
  });

  it("UPLOAD_FACTOR lets a viewer upload more than it downloads, within a home uplink", () => {
    expect(L.UPLOAD_FACTOR).toBeGreaterThan(1);
    expect(L.UPLOAD_FACTOR * L.MAX_MEDIA_BYTES_PER_S * L.DOWNLOAD_HEADROOM * 8).toBeLessThanOrEqual(1e9);
  });

  it("MAX_SIGHTINGS_PER_SHARD holds several peer_ids for every viewer a shard's streams can count", () => {
    expect(L.MAX_SIGHTINGS_PER_SHARD).toBeGreaterThanOrEqual(4 * L.MAX_VIEWERS_PER_STREAM);
  });

  it("STREAM_NAME_RE is the tracker channel charset", () => {
    expect(L.STREAM_NAME_RE.test("live_loop-1")).toBe(true);
    expect(L.STREAM_NAME_RE.test("")).toBe(false);
    expect(L.STREAM_NAME_RE.test("a.b")).toBe(false);
  });

  it("VIEWER_ID_RE wants 8..64 url-safe chars", () => {
    expect(L.VIEWER_ID_RE.test("a".repeat(8))).toBe(true);
    expect(L.VIEWER_ID_RE.test("a".repeat(7))).toBe(false);
    expect(L.VIEWER_ID_RE.test("a".repeat(65))).toBe(false);
  });

  it("VIEWER_TTL_MS tolerates several lost reports", () => {
    expect(L.VIEWER_TTL_MS).toBeGreaterThanOrEqual(4 * L.REPORT_INTERVAL_MS);
  });

  it("STREAM_TTL_MS outlives a viewer by far", () => {
    expect(L.STREAM_TTL_MS).toBeGreaterThan(10 * L.VIEWER_TTL_MS);
  });

  it("shard capacity covers the stated viewer count at the report interval", () => {
    const reportsPerSecond = (L.STATS_SHARDS * L.MAX_VIEWERS_PER_STREAM) / (L.REPORT_INTERVAL_MS / 1000);
    expect(reportsPerSecond).toBeLessThanOrEqual(L.STATS_SHARDS * 1000); // ~1k req/s per object
    expect(L.MAX_STREAMS_PER_SHARD).toBeGreaterThan(0);
  });

  it("rate caps sit far above real traffic and far below overflow", () => {
    expect(L.MAX_BYTES_PER_SECOND).toBeGreaterThan((100e6 / 8) * 10); // 10× a 100 Mbit/s link
    expect(L.MAX_BYTES_PER_SECOND * 3600 * 24 * 365).toBeLessThan(L.MAX_COUNTER);
    expect(L.MAX_ERRORS_PER_SECOND).toBeGreaterThan(2); // a couple of segment errors per second are real
    expect(L.FIRST_REPORT_WINDOW_S * 1000).toBeGreaterThan(L.REPORT_INTERVAL_MS);
  });
});
