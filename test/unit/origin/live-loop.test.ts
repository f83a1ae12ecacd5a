// The built-in loop's math: live edge from the clock, window sliding, discontinuity at
// the wrap with a consistent DISCONTINUITY-SEQUENCE, and which segment URLs answer.
import { describe, expect, it } from "vitest";
import {
  LOOP_EPOCH_MS,
  liveEdge,
  loopClock,
  loopWindow,
  parseManifest,
  renderLoopMaster,
  renderLoopMedia,
  resolveLoopSegment,
  segmentStart,
  type LoopManifest,
} from "../../../worker/origin/live-loop";

const H = (i: number) => i.toString(16).padStart(64, "0");
function manifest(durations: number[], renditions = ["hi", "lo"]): LoopManifest {
  const raw = {
    renditions: renditions.map((name, r) => ({
      name,
      width: 640 / (r + 1),
      height: 360 / (r + 1),
      codecs: "avc1.4d401e,mp4a.40.2",
      bandwidth: 800_000 / (r + 1),
      averageBandwidth: 700_000 / (r + 1),
      segments: durations.map((d, i) => ({ uri: `seg-${i}.ts`, duration: d, size: 1000, sha256: H(i + 16 * r) })),
    })),
  };
  const p = parseManifest(raw);
  if (!p.ok) throw new Error(p.reason);
  return p.value;
}
const m = manifest([2, 2, 2, 2, 2]); // N = 5, loop = 10 s
const hi = m.renditions[0]!;

describe("loop timeline", () => {
  it("runs its clock from LOOP_EPOCH_MS, so DISCONTINUITY-SEQUENCE stays small (hls.js walks 0..it per refresh)", () => {
    expect(loopClock(LOOP_EPOCH_MS - 5_000)).toBe(0);
    expect(loopClock(LOOP_EPOCH_MS + 28_000)).toBe(28_000);
    const aYear = 365 * 86_400_000;
    const w = loopWindow(m, hi, loopClock(LOOP_EPOCH_MS + aYear), 6);
    // One restart per 10 s loop: about 3.15 million after a year here, 1.05 million for the
    // real 30 s clip; counted from the Unix epoch it was 60 million and more.
    // The window's first segment is 6 back from the edge (a year = 15,768,000 segments of 2 s).
    expect(w.discontinuitySequence).toBe(Math.floor((aYear / 2000 - 6) / 5));
    expect(LOOP_EPOCH_MS).toBeGreaterThan(Date.UTC(2026, 0, 1));
    expect(LOOP_EPOCH_MS).toBeLessThanOrEqual(Date.now());
  });

  it("maps sequence numbers to loop-clock starts: loop k starts at k·L seconds after the epoch", () => {
    expect(segmentStart(m, 0)).toBe(0);
    expect(segmentStart(m, 4)).toBe(8);
    expect(segmentStart(m, 5)).toBe(10);
    expect(segmentStart(m, 123)).toBe(246);
  });

  it("puts the live edge on the newest segment that has fully happened", () => {
    expect(liveEdge(m, 1_999)).toBe(-1);
    expect(liveEdge(m, 2_000)).toBe(0);
    expect(liveEdge(m, 9_999)).toBe(3);
    expect(liveEdge(m, 10_000)).toBe(4);
    expect(liveEdge(m, 12_000)).toBe(5);
  });

  it("handles uneven durations (a short last segment)", () => {
    const u = manifest([2, 2, 1]);
    expect(liveEdge(u, 5_000)).toBe(2);
    expect(liveEdge(u, 6_999)).toBe(2);
    expect(liveEdge(u, 7_000)).toBe(3);
  });
});

describe("loop window", () => {
  it("slides by one segment every segment duration", () => {
    const a = loopWindow(m, hi, 1_000_000_000, 6);
    const b = loopWindow(m, hi, 1_000_002_000, 6);
    expect(a.segments).toHaveLength(6);
    expect(b.mediaSequence).toBe(a.mediaSequence + 1);
    const id = (x: { seq: number; uri: string; sha256: string }) => ({ seq: x.seq, uri: x.uri, sha256: x.sha256 });
    expect(b.segments.slice(0, 5).map(id)).toEqual(a.segments.slice(1).map(id));
  });

  it("tags the first segment of each loop with a discontinuity, except at the window's top", () => {
    // Edge at seq 13 (t = 28 s): window 8..13, loop restarts at seq 10.
    const w = loopWindow(m, hi, 28_000, 6);
    expect(w.segments.map((s) => s.seq)).toEqual([8, 9, 10, 11, 12, 13]);
    expect(w.segments.map((s) => s.discontinuity)).toEqual([false, false, true, false, false, false]);
    expect(w.discontinuitySequence).toBe(1); // seq 8 is in loop 1
    // When seq 10 is the first of the window, its restart is counted by the sequence instead.
    const top = loopWindow(m, hi, 32_000, 6);
    expect(top.segments[0]!.seq).toBe(10);
    expect(top.segments[0]!.discontinuity).toBe(false);
    expect(top.discontinuitySequence).toBe(2);
  });

  it("keeps each segment's discontinuity number consistent across refreshes (as hls.js counts cc)", () => {
    const cc = (w: ReturnType<typeof loopWindow>) => {
      let c = w.discontinuitySequence;
      return new Map(w.segments.map((s) => [s.seq, s.discontinuity ? ++c : c]));
    };
    const seen = new Map<number, number>();
    for (let t = 20_000; t < 80_000; t += 1000) {
      for (const [seq, c] of cc(loopWindow(m, hi, t, 6))) {
        if (seen.has(seq)) expect(seen.get(seq), `seq ${seq} at ${t}`).toBe(c);
        seen.set(seq, c);
        expect(c).toBe(Math.floor(seq / 5));
      }
    }
  });

  it("uses URIs unique per live sequence number and the sample's hashes", () => {
    const w = loopWindow(m, hi, 28_000, 6);
    expect(w.segments.map((s) => s.uri)).toEqual(["8.ts", "9.ts", "10.ts", "11.ts", "12.ts", "13.ts"]);
    expect(w.segments.map((s) => s.sha256)).toEqual([H(3), H(4), H(0), H(1), H(2), H(3)]);
  });

  it("renders a media playlist with the segment's size, then its hash right before each URI", () => {
    const text = renderLoopMedia(loopWindow(m, hi, 28_000, 6));
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:8\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n");
    expect(text).toContain(`#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\n#EXT-X-EDGESWARM-BYTES:1000\n#EXT-X-EDGESWARM-SHA256:${H(0)}\n10.ts\n`);
    expect(text).not.toContain("ENDLIST");
  });

  it("renders a master with every rendition", () => {
    const text = renderLoopMaster(m);
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"\nhi/index.m3u8');
    expect(text).toContain("lo/index.m3u8");
  });
});

describe("resolveLoopSegment", () => {
  it("maps a live sequence number back to the sample segment", () => {
    expect(resolveLoopSegment(m, hi, "12.ts", 28_000, 30)).toEqual({ ok: true, value: { seq: 12, segment: hi.segments[2] } });
  });
  it("refuses future, too-old, misnamed and wrong-extension requests", () => {
    expect(resolveLoopSegment(m, hi, "14.ts", 28_000, 30)).toEqual({ ok: false, reason: "segment not produced yet" });
    expect(resolveLoopSegment(m, hi, "1.ts", 100_000, 30)).toEqual({ ok: false, reason: "segment left the live window" });
    expect(resolveLoopSegment(m, hi, "x.ts", 28_000, 30).ok).toBe(false);
    expect(resolveLoopSegment(m, hi, "12.m4s", 28_000, 30)).toEqual({ ok: false, reason: "wrong extension" });
    expect(resolveLoopSegment(m, hi, "1234567890123456.ts", 28_000, 30).ok).toBe(false);
  });
});

describe("parseManifest", () => {
  it("refuses manifests a bad build could produce", () => {
    expect(parseManifest(null).ok).toBe(false);
    expect(parseManifest({ renditions: [] }).ok).toBe(false);
    const good = { name: "a", width: 1, height: 1, codecs: "avc1", bandwidth: 1, segments: [{ uri: "a.ts", duration: 2, size: 1, sha256: H(1) }] };
    expect(parseManifest({ renditions: [good] }).ok).toBe(true);
    expect(parseManifest({ renditions: [{ ...good, segments: [{ uri: "../a.ts", duration: 2, size: 1, sha256: H(1) }] }] }).ok).toBe(false);
    expect(parseManifest({ renditions: [{ ...good, segments: [{ uri: "a.ts", duration: 2, size: 1, sha256: "XYZ" }] }] }).ok).toBe(false);
    expect(parseManifest({ renditions: [good, { ...good, name: "b", segments: [] }] }).ok).toBe(false);
    expect(parseManifest({ renditions: [good, { ...good, name: "b", segments: [{ uri: "a.ts", duration: 4, size: 1, sha256: H(1) }] }] })).toEqual({
      ok: false,
      reason: "renditions differ in durations",
    });
  });
});
