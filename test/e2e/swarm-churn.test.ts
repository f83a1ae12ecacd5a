// Swarms in real Chromium against the real Worker (wrangler dev) and its built-in live
// channel: three viewers joining a few seconds apart, where the later ones get verified P2P
// bytes; and churn, where viewers leave every few seconds (a closed tab, a crashed renderer, a
// tab that navigates away) while newcomers join, and the viewers that stay play on, the
// tracker drops the sockets of the ones that left, and P2P goes on between the survivors.
// Every viewer that stays must have 0 stalls (a rebuffer ≥ 250 ms, as in client-playback).
// Does not measure offload or timing: bench/ does that.
import { loadavg } from "node:os";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { advances, html, launchChromium, openViewer, stallsOf, statsOf, watchStalls, type PageStats, type Viewer } from "../../harness/browser.ts";
import { waitForValue } from "../../harness/wait-for-value.ts";

const LIVE = "/live/loop/master.m3u8";
const CHANNEL = "loop"; // the tracker channel the client derives from the stream name
/** Shorter 'waiting' blips happen at segment boundaries and are not rebuffering a viewer sees. */
const STALL_MS = 250;

// The production page (script tag + <video>), plus a diagnostic log that only listens: the
// video's buffering events and the player's typed events, timestamped, for failure messages.
const PAGE = `<script src="/edgeswarm.js"></script><video autoplay muted src="${LIVE}"></video>
<script>
  window.events = [];
  const video = document.querySelector("video");
  const log = (s) => {
    window.events.push(new Date().toISOString().slice(11, 22) + " t=" + video.currentTime.toFixed(2) + " " + s);
    if (window.events.length > 300) window.events.shift();
  };
  for (const e of ["waiting", "playing", "stalled", "seeking", "error"]) video.addEventListener(e, () => log("video:" + e));
  const short = (u) => u.split("?")[0].split("/").slice(-2).join("/");
  // How long each HTTP segment fetch took (and slow playlist fetches): a slow origin shows here.
  new PerformanceObserver((list) => {
    for (const r of list.getEntries()) {
      if (/\\.(ts|m4s|aac)(\\?|$)/.test(r.name) || (/\\.m3u8/.test(r.name) && r.duration > 1000)) log("http " + short(r.name) + " " + Math.round(r.duration) + "ms");
    }
  }).observe({ type: "resource" });
  (function hook() {
    const h = EdgeSwarm.handleOf(video);
    if (!h) return void setTimeout(hook, 20);
    h.on("segment", (e) => log("seg:" + e.source + " " + short(e.url) + (e.peerId ? " from " + e.peerId.slice(-6) : "")));
    h.on("peer", (e) => log("peer:" + e.event + " " + e.peerId.slice(-6)));
    h.on("tracker", (e) => log("tracker:" + e.state));
    h.on("rejected", (e) => log("rejected:" + e.reason + " " + short(e.url)));
    h.on("error", (e) => log((e.fatal ? "FATAL:" : "error:") + e.type + ":" + e.details));
  })();
</script>`;

interface Member extends Viewer {
  name: string;
}

/** The churn's cadence, a scenario and not a wait for anything: one viewer leaves this often. */
const LEAVE_EVERY_MS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a failure message needs about one viewer: playhead, buffer, stats, stalls, recent events, errors. */
async function diagnose(v: Member): Promise<string> {
  const state = await v.page
    .evaluate(() => {
      const el = document.querySelector("video")!;
      const buf = Array.from({ length: el.buffered.length }, (_, i) => [+el.buffered.start(i).toFixed(2), +el.buffered.end(i).toFixed(2)]);
      const g = (globalThis as unknown as { EdgeSwarm: { handleOf(v: Element): { stats(): unknown } | undefined } }).EdgeSwarm;
      const w = window as unknown as { events?: string[]; stalls?: unknown };
      const r = window as unknown as { rebuffers?: unknown[]; jumps?: unknown; openRebuffer?: () => number };
      const open = r.openRebuffer?.() ? [{ at: el.currentTime, ms: r.openRebuffer(), open: true }] : [];
      return JSON.stringify({
        t: el.currentTime,
        paused: el.paused,
        rs: el.readyState,
        buf,
        stats: g.handleOf(el)?.stats(),
        stalls: w.stalls,
        rebuffers: [...(r.rebuffers ?? []), ...open],
        jumps: r.jumps,
        events: w.events?.slice(-60),
      });
    })
    .catch((e: unknown) => `unreadable: ${String(e)}`);
  return `viewer ${v.name}: ${state}\n  page errors: ${JSON.stringify(v.errors)}`;
}

/**
 * A second stall meter that events alone miss. Chromium fires no 'waiting' for a seek into an
 * unbuffered range while already short of data (a player hopping from hole to hole as hls.js
 * jumps to the live edge), and a starved media pipeline can sit "playing" with a frozen clock.
 * So this one samples every 100 ms: after playback first started, any stretch unpaused in which
 * the playhead does not move forward, or is seeking, or has readyState below HAVE_FUTURE_DATA
 * (3), is a rebuffer; forward seeks over 1 s are jumps (media skipped).
 */
async function watchRebuffers(page: Member["page"]): Promise<void> {
  await page.evaluate(() => {
    const v = document.querySelector("video")!;
    const w = window as unknown as { rebuffers: Array<{ at: number; ms: number }>; jumps: Array<{ from: number; to: number }> };
    w.rebuffers = [];
    w.jumps = [];
    let since = 0;
    let last = v.currentTime; // playhead at the previous sample
    let settled = v.currentTime; // playhead before any seek in progress
    v.addEventListener("seeking", () => {
      if (v.played.length > 0 && v.currentTime - settled > 1) w.jumps.push({ from: +settled.toFixed(2), to: +v.currentTime.toFixed(2) });
    });
    setInterval(() => {
      const t = v.currentTime;
      const short = v.played.length > 0 && !v.paused && !v.ended && (t <= last || v.seeking || v.readyState < 3);
      if (short && !since) since = performance.now();
      if (!short && since) {
        w.rebuffers.push({ at: +t.toFixed(2), ms: Math.round(performance.now() - since) });
        since = 0;
      }
      last = t;
      if (!v.seeking) settled = t;
    }, 100);
    (window as unknown as { openRebuffer: () => number }).openRebuffer = () => (since ? Math.round(performance.now() - since) : 0);
  });
}

async function rebuffersOf(page: Member["page"]): Promise<{ rebuffers: Array<{ at: number; ms: number }>; jumps: Array<{ from: number; to: number }> }> {
  return page.evaluate(() => {
    const w = window as unknown as { rebuffers: Array<{ at: number; ms: number }>; jumps: Array<{ from: number; to: number }>; openRebuffer: () => number };
    const open = w.openRebuffer();
    const v = document.querySelector("video")!;
    return { rebuffers: [...w.rebuffers, ...(open ? [{ at: v.currentTime, ms: open }] : [])], jumps: w.jumps.slice() };
  });
}

/** Waits until the viewer's verified P2P bytes exceed `above`; on timeout, says what the player was doing. */
async function p2pAbove(v: Member, above: number, timeout = 120_000): Promise<void> {
  try {
    await v.page.waitForFunction(
      (n) => {
        const g = (globalThis as unknown as { EdgeSwarm: { handleOf(v: Element): { stats(): { p2pBytes: number } } | undefined } }).EdgeSwarm;
        return (g.handleOf(document.querySelector("video")!)?.stats().p2pBytes ?? 0) > n;
      },
      above,
      { timeout, polling: 500 },
    );
  } catch (err) {
    throw new Error(`viewer ${v.name} got no P2P bytes beyond ${above} in ${timeout / 1000} s\n${await diagnose(v)}`, { cause: err });
  }
}

/** The running Worker's log (set once it has started). */
let devOutput: () => string = () => "";

/** The checks every viewer that stays must pass: no stall, no rejected peer bytes, no page or console error. */
async function expectClean(v: Member): Promise<PageStats> {
  const s = await statsOf(v.page);
  const stalls = await stallsOf(v.page);
  const { rebuffers } = await rebuffersOf(v.page);
  const why = await diagnose(v);
  expect(
    stalls.filter((x) => x.ms >= STALL_MS),
    `viewer ${v.name} stalled\n${why}`,
  ).toEqual([]);
  expect(
    rebuffers.filter((x) => x.ms >= STALL_MS),
    `viewer ${v.name} rebuffered\n${why}`,
  ).toEqual([]);
  expect(s.p2pRejectedBytes, `viewer ${v.name} had peer bytes rejected\n${why}`).toBe(0);
  expect(s.errors["p2p-hash-mismatch"], why).toBe(0);
  expect(s.errors["p2p-hash-unknown"], why).toBe(0);
  // The Worker's log tail says whether wrangler dev restarted it (a POST in flight then gets 503).
  const devLog = v.errors.length ? `\nwrangler dev output (tail):\n${devOutput().slice(-3000)}` : "";
  expect(v.errors, `viewer ${v.name} logged errors\n${why}${devLog}`).toEqual([]);
  return s;
}

async function line(v: Member, s: PageStats): Promise<string> {
  const stalls = await stallsOf(v.page);
  const { rebuffers, jumps } = await rebuffersOf(v.page);
  return `${v.name}: http ${s.httpBytes} p2p ${s.p2pBytes} up ${s.uploadedBytes} peers ${s.peers} waiting-blips ${JSON.stringify(stalls.map((x) => x.ms))} ms, short-of-data ${JSON.stringify(rebuffers.map((x) => x.ms))} ms, jumps ${JSON.stringify(jumps)}`;
}

describe("swarms and churn in Chromium", () => {
  let worker: DevWorker;
  let browser: Browser;
  const members: Member[] = [];
  /** Who joined and left when, for failure messages. */
  const timeline: string[] = [];
  let t0 = Date.now();
  const mark = (what: string) => timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);

  beforeAll(async () => {
    // Frozen: wrangler dev restarts workerd when a file under its tree changes, which would
    // drop every tracker socket mid-test while others edit the working tree.
    worker = await startDevWorker({ frozen: true });
    devOutput = worker.output;
    browser = await launchChromium();
  }, 180_000);

  beforeEach(() => {
    t0 = Date.now();
  });

  afterEach(async (ctx) => {
    // On failure, every viewer still open says what it was doing (the one that failed an
    // assertion may not be the one whose trouble caused it).
    if (ctx.task.result?.state === "fail") {
      const live = members.filter((m) => !m.page.isClosed());
      console.log(
        `timeline: ${timeline.join(" | ")}\nload average ${loadavg()
          .map((x) => x.toFixed(1))
          .join(" ")}\n${(await Promise.all(live.map(diagnose))).join("\n")}`,
      );
    }
    timeline.splice(0);
    for (const m of members.splice(0)) await m.context.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await worker?.stop();
  });

  const join = async (name: string): Promise<Member> => {
    const url = `${worker.url}/e2e/swarm-${name}.html`;
    const m = { name, ...(await openViewer(browser, url, { [url]: html(PAGE) })) };
    members.push(m);
    await watchStalls(m.page);
    await watchRebuffers(m.page);
    mark(`${name} joined`);
    return m;
  };

  /** a, b and c join `gapMs` apart; a has played a second before b comes. */
  const joinThree = async (gapMs: number): Promise<[Member, Member, Member]> => {
    const a = await join("a");
    await advances(a.page, 1);
    await sleep(gapMs);
    const b = await join("b");
    await sleep(gapMs);
    return [a, b, await join("c")];
  };

  /** Tracker sockets open on the stream's channel (one per page: all its swarms share it). */
  const trackerSockets = async (): Promise<number> => {
    const r = await fetch(`${worker.url}/api/tracker/stats?channel=${CHANNEL}`);
    expect(r.status).toBe(200);
    return ((await r.json()) as { sockets: number }).sockets;
  };

  /** Polls the tracker's socket count for up to 30 s until it is `n`; returns the last count. */
  const socketsBecome = (n: number): Promise<number> => waitForValue(trackerSockets, (sockets) => sockets === n, { timeout: 30_000, interval: 500 });

  it("gives the later of 3 viewers joining a few seconds apart verified P2P bytes, and all 3 play on without a stall", async () => {
    const [a, b, c] = await joinThree(3000);
    await p2pAbove(b, 0);
    await p2pAbove(c, 0);
    mark("b and c have P2P bytes");
    await Promise.all([a, b, c].map((v) => advances(v.page, 4)));
    const out: string[] = [];
    for (const v of [a, b, c]) out.push(await line(v, await expectClean(v)));
    console.log(`swarm of 3:\n  ${out.join("\n  ")}`);
    const [sb, sc] = [await statsOf(b.page), await statsOf(c.page)];
    expect(sb.p2pBytes).toBeGreaterThan(0);
    expect(sc.p2pBytes).toBeGreaterThan(0);
  }, 240_000);

  it("keeps the viewers that stay playing without a stall while others leave every 4 s, and P2P goes on after the churn", async () => {
    // At most 3 viewers at once, as written when each Chromium viewer cost half a core here
    // (a hls.js cost of the loop channel, since fixed: docs/bench-swarm.md).
    const [a, b, c] = await joinThree(2000); // c stays throughout
    // P2P flows in the swarm before anyone leaves: one of the later viewers has verified peer bytes.
    await Promise.any([b, c].map((v) => p2pAbove(v, 0))).catch(async () => {
      throw new Error(`no P2P bytes in the swarm of 3 before the churn\n${(await Promise.all(members.map(diagnose))).join("\n")}`);
    });
    mark("P2P flows");
    expect(await socketsBecome(3), "tracker sockets on the channel with 3 viewers").toBe(3);

    // c stays throughout: what it went through before the first leave, to tell join-time stalls from churn ones.
    const cBefore = await rebuffersOf(c.page);
    // a: a closed tab (its context goes, no page teardown runs).
    await a.context.close();
    mark("a left (context closed)");
    const d = await join("d"); // a newcomer during the churn
    await sleep(LEAVE_EVERY_MS);
    // b: a crashed renderer, the most abrupt leave: no close frame, no goodbye to its peers.
    const crashed = new Promise<boolean>((r) => b.page.once("crash", () => r(true)));
    const cdp = await b.context.newCDPSession(b.page);
    void cdp.send("Page.crash").catch(() => {}); // never answers: the session dies with the renderer
    const sawCrash = await Promise.race([crashed, sleep(15_000).then(() => false)]);
    await b.context.close().catch(() => {});
    expect(sawCrash, "Page.crash took b's renderer down").toBe(true);
    mark("b left (renderer crashed)");
    const e = await join("e"); // another newcomer
    await sleep(LEAVE_EVERY_MS);
    // d: a tab that navigates elsewhere (the page unloads normally).
    await d.page.goto("about:blank");
    mark("d left (navigated away)");
    const survivors = [c, e];

    // The tracker drops the sockets of the three that left (each page holds one).
    expect(await socketsBecome(survivors.length), "tracker sockets on the channel after a, b and d left").toBe(survivors.length);

    // P2P goes on between the survivors: their verified P2P bytes rise after the others left.
    const before = (await Promise.all(survivors.map((v) => statsOf(v.page)))).map((s) => s.p2pBytes);
    const after = await waitForValue(
      async () => (await Promise.all(survivors.map((v) => statsOf(v.page)))).map((s) => s.p2pBytes),
      (now) => now.some((n, i) => n > before[i]!),
      { timeout: 60_000, interval: 500 },
    );
    if (after.every((n, i) => n <= before[i]!)) {
      throw new Error(
        `no P2P bytes between the survivors after the churn (before ${before}, after ${after})\n${(await Promise.all(survivors.map(diagnose))).join("\n")}`,
      );
    }
    await Promise.all(survivors.map((v) => advances(v.page, 6)));

    const cAll = await rebuffersOf(c.page);
    console.log(
      `survivor c short of data ≥ ${STALL_MS} ms before the first leave: ${JSON.stringify(cBefore.rebuffers.filter((x) => x.ms >= STALL_MS))}, since: ${JSON.stringify(cAll.rebuffers.slice(cBefore.rebuffers.length).filter((x) => x.ms >= STALL_MS))}`,
    );
    const out: string[] = [];
    for (const v of survivors) out.push(await line(v, await expectClean(v)));
    console.log(`churn survivors (p2p before → after the last leave: ${before.join(", ")} → ${after.join(", ")}):\n  ${out.join("\n  ")}`);
    console.log(
      `survivor c saw: ${JSON.stringify((await c.page.evaluate(() => (window as unknown as { events: string[] }).events)).filter((x) => x.includes("peer:") || x.includes("tracker:")))}`,
    );
  }, 300_000);
});
