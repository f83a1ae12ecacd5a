// bittorrent-tracker's own WebSocket client scenarios (issue 14, interop goal), written anew
// for vitest and run against two servers: bittorrent-tracker's Server (the control) and the
// Worker under wrangler dev. They are the 19 `ws` cases of its test/client.js,
// client-ws-socket-pool.js, client-magnet.js, client-large-torrent.js, scrape.js and
// destroy.js: start, stop, stop+destroy, update, scrape, announce parameters, socket reuse,
// destroy callbacks, bad URLs. Start and stop, whose checks are one sequence, share one test:
// 18 tests, 14 run against each server and the 4 bad-URL cases once. As there, the clients
// send placeholder offers (`{ fake_offer }`, no SDP), which the reference server relays
// blindly and the Worker drops while serving the rest of the announce. Each client event the
// original checks is checked here; where the original listens to the server's own events
// ("start" with the custom parameter, "stop"), the control is checked the same way and the
// Worker through its tracker counters (GET /api/tracker/stats?channel=), since it has no
// in-process events.
// Real parts only: the real bittorrent-tracker Client, the real Server, the real Worker.
import { createConnection } from "node:net";
import { Agent } from "node:http";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, inject, it } from "vitest";
import { randomHex20, startReferenceTracker, waitFor } from "../../harness/webrtc-node.ts";

// Untyped package: only what the scenarios use.
interface BtClient {
  start(opts?: Record<string, unknown>): void;
  stop(opts?: Record<string, unknown>): void;
  update(opts?: Record<string, unknown>): void;
  scrape(opts?: Record<string, unknown>): void;
  setInterval(ms: number): void;
  destroy(cb?: (err?: Error | null) => void): void;
  on(ev: string, fn: (arg: never) => void): void;
  once(ev: string, fn: (arg: never) => void): void;
  _trackers: { _generateOffers: (numwant: number, cb: (offers: unknown[]) => void) => void }[];
}
interface BtClientClass {
  new (opts: Record<string, unknown>): BtClient;
  scrape(opts: Record<string, unknown>, cb: (err: Error | null, data: ScrapeData) => void): BtClient;
}
interface UpdateData {
  announce: string;
  complete: number;
  incomplete: number;
}
interface ScrapeData extends UpdateData {
  infoHash: string;
  downloaded: number;
}

const BT_CLIENT = "bittorrent-tracker/client";
const Client = ((await import(BT_CLIENT)) as { default: BtClientClass }).default;

// The original's fixed peer ids (20 ASCII bytes, sent as a 20-char binary string).
const PEER_ID = Buffer.from("01234567890123456789");

/** What a scenario may ask of the server it runs against. */
interface Server {
  announceUrl: string;
  /** Resolves with the value of `param` once the server has seen a "started" announce carrying it (null: the server cannot show parameters). */
  startedWith(param: string): Promise<string | null>;
  /** Resolves once the server has received a "stopped" announce. */
  stopped(): Promise<void>;
  close(): Promise<void>;
}

interface Target {
  name: string;
  open(): Promise<Server>;
}

type PeerEvent = { event: string; params: Record<string, unknown> };

const targets: Target[] = [
  {
    name: "bittorrent-tracker Server (control)",
    open: async () => {
      const s = await startReferenceTracker();
      const seen: PeerEvent[] = [];
      for (const event of ["start", "stop"]) s.onPeerEvent(event, (params) => seen.push({ event, params }));
      return {
        announceUrl: s.wsUrl,
        startedWith: async (param) => {
          await waitFor(() => seen.some((e) => e.event === "start"), "the control's start event", 10_000);
          const v = seen.find((e) => e.event === "start")!.params[param];
          return typeof v === "string" ? v : String(v);
        },
        stopped: () => waitFor(() => seen.some((e) => e.event === "stop"), "the control's stop event", 10_000),
        close: s.stop,
      };
    },
  },
  {
    name: "EdgeSwarm Worker under wrangler dev",
    open: async () => {
      const w = inject("devWorker");
      // A channel of its own per scenario, as the original gives each case a fresh server.
      const channel = `bt-${randomHex20().slice(0, 12)}`;
      const counters = async () => {
        const r = await fetch(`${w.url}/api/tracker/stats?channel=${channel}`);
        const body = (await r.json()) as { messages?: Record<string, number> };
        return body.messages ?? {};
      };
      const poll = async (name: string, what: string) => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          if (((await counters())[name] ?? 0) >= 1) return;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      return {
        announceUrl: `${w.wsUrl}/announce/${channel}`,
        // The Worker ignores parameters it does not know (as the reference does, apart from
        // handing them to its listeners); what can be shown is that the announce was served.
        startedWith: async () => {
          await poll("started", "the Worker's started counter");
          return null;
        },
        stopped: () => poll("stopped", "the Worker's stopped counter"),
        close: async () => {},
      };
    },
  },
];

/** The original's mockWebsocketTracker: placeholder offers instead of real WebRTC ones. */
function placeholderOffers(client: BtClient): void {
  client._trackers[0]!._generateOffers = (numwant, cb) => {
    const offers = Array.from({ length: numwant }, (_, i) => ({ fake_offer: `fake_offer_${i}` }));
    process.nextTick(() => cb(offers));
  };
}

const live: BtClient[] = [];

/** A client as the original builds it; every warning or error is recorded (the original fails on any). */
function newClient(server: Server, extra: Record<string, unknown> = {}): { client: BtClient; problems: string[] } {
  const client = new Client({ infoHash: randomHex20(), announce: server.announceUrl, peerId: PEER_ID, port: 6881, wrtc: {}, ...extra });
  placeholderOffers(client);
  const problems: string[] = [];
  client.on("error", (e: Error) => problems.push(`error: ${e.message}`));
  client.on("warning", (e: Error) => problems.push(`warning: ${e.message}`));
  live.push(client);
  return { client, problems };
}

function next<T>(client: BtClient, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no "${event}" event within ${timeoutMs} ms`)), timeoutMs);
    client.once(event, (d: never) => {
      clearTimeout(t);
      resolve(d as T);
    });
  });
}

function expectUpdate(data: UpdateData, announceUrl: string): void {
  expect(data.announce).toBe(announceUrl);
  expect(typeof data.complete).toBe("number");
  expect(typeof data.incomplete).toBe("number");
}

/**
 * The original's common shape: start, an update, whatever the case checks in between, then
 * stop and its update, and no warning or error on the way.
 */
async function expectStartThenStop(
  server: Server,
  opts: { extra?: Record<string, unknown>; startWith?: Record<string, unknown>; between?: (client: BtClient) => Promise<void> } = {},
): Promise<void> {
  const { client, problems } = newClient(server, opts.extra);
  const first = next<UpdateData>(client, "update");
  client.start(opts.startWith);
  expectUpdate(await first, server.announceUrl);
  await opts.between?.(client);
  const stop = next<UpdateData>(client, "update");
  client.stop();
  expectUpdate(await stop, server.announceUrl);
  expect(problems).toEqual([]);
}

/** Destroys every client of the scenario and waits for its callback (the control's close waits for their sockets). */
async function destroyAll(): Promise<void> {
  const destroyed = Promise.all(live.splice(0).map((c) => new Promise<void>((r) => c.destroy(() => r()))));
  // A client whose socket never opened may never call back; its socket is gone either way.
  await Promise.race([destroyed, new Promise((r) => setTimeout(r, 5_000))]);
}

afterEach(destroyAll);

// Each case takes well under a second on either server; a hang fails fast instead of at the project's 120 s.
describe.each(targets)("bittorrent-tracker's ws client scenarios: $name", { timeout: 30_000 }, (target) => {
  /** Opens a server for one scenario and closes it afterwards, as each original case does. */
  async function withServer(run: (server: Server) => Promise<void>): Promise<void> {
    const server = await target.open();
    try {
      await run(server);
    } finally {
      // As each original case does: clients go first, then the server.
      await destroyAll();
      await server.close();
    }
  }

  it("client.start() and client.stop(): an update each, with the swarm's counts", () => withServer((server) => expectStartThenStop(server)));

  it("client.stop(); client.destroy() in one tick: the server still receives the stop, the client sees no update", () =>
    withServer(async (server) => {
      const { client, problems } = newClient(server);
      const first = next(client, "update");
      client.start();
      await first;
      let late = 0;
      client.stop();
      client.on("update", () => late++);
      client.destroy();
      await server.stopped();
      await new Promise((r) => setTimeout(r, 300));
      expect(late).toBe(0);
      expect(problems).toEqual([]);
    }));

  it("client.update(): with a 500 ms interval a second update comes by itself", () =>
    withServer(async (server) => {
      const { client, problems } = newClient(server);
      client.setInterval(500);
      const first = next(client, "update");
      client.start();
      await first;
      client.setInterval(500);
      expectUpdate(await next<UpdateData>(client, "update"), server.announceUrl);
      const stop = next(client, "update");
      client.stop();
      await stop;
      expect(problems).toEqual([]);
    }));

  it("client.scrape(): counts for the torrent, downloaded included", () =>
    withServer(async (server) => {
      const { client, problems } = newClient(server);
      const scraped = next<ScrapeData>(client, "scrape");
      client.scrape();
      const data = await scraped;
      expectUpdate(data, server.announceUrl);
      expect(typeof data.downloaded).toBe("number");
      expect(problems).toEqual([]);
    }));

  /** The control shows the parameter it was started with; the Worker that the announce was served. */
  const paramArrived = (server: Server) => async () => {
    const param = await server.startedWith("testParam");
    if (param !== null) expect(param).toBe("this is a test");
  };

  it("client.announce() with params: served, and the control shows the parameter", () =>
    withServer((server) => expectStartThenStop(server, { startWith: { testParam: "this is a test" }, between: paramArrived(server) })));

  it("client opts.getAnnounceOpts: its fields ride on the announce, which is served", () =>
    withServer((server) =>
      expectStartThenStop(server, { extra: { getAnnounceOpts: () => ({ testParam: "this is a test" }) }, between: paramArrived(server) }),
    ));

  it("valid tracker port: the tracker answers", () =>
    withServer(async (server) => {
      const { client, problems } = newClient(server);
      const first = next(client, "update");
      client.start();
      await first;
      expect(problems).toEqual([]);
    }));

  it("client.start() through a caller's httpAgent: the agent opens the socket", () =>
    withServer(async (server) => {
      let agentUsed = false;
      const agent = new Agent();
      // The original's check: the WebSocket's connection is made by the caller's agent.
      Object.assign(agent, {
        createConnection: (opts: Parameters<typeof createConnection>[0], cb?: () => void) => {
          agentUsed = true;
          return createConnection(opts, cb);
        },
      });
      await expectStartThenStop(server, { extra: { proxyOpts: { httpAgent: agent } }, between: async () => expect(agentUsed).toBe(true) });
      agent.destroy();
    }));

  it("socket pool: a second client on the same URL reuses the socket, and both destroy callbacks run", () =>
    withServer(async (server) => {
      const a = newClient(server);
      const first = next(a.client, "update");
      a.client.start();
      await first;
      // Same peer id, another torrent, same announce URL: one WebSocket carries both.
      const b = newClient(server);
      const second = next(b.client, "update");
      b.client.start();
      await second;
      const destroyed = await new Promise<(Error | null | undefined)[]>((resolve) => a.client.destroy((e1) => b.client.destroy((e2) => resolve([e1, e2]))));
      expect(destroyed.every((e) => !e)).toBe(true);
      expect([...a.problems, ...b.problems]).toEqual([]);
    }));

  it("magnet: start, update and stop with an info hash from a magnet link", () =>
    withServer(async (server) => {
      // client-magnet.js parses the info hash out of a magnet URI; the client only ever sends the hash.
      await expectStartThenStop(server, {
        extra: { infoHash: randomHex20() },
        between: async (client) => {
          const again = next<UpdateData>(client, "update");
          client.update();
          expectUpdate(await again, server.announceUrl);
        },
      });
    }));

  it("large torrent: start and stop with a torrent that has many pieces", () =>
    withServer(async (server) => {
      // client-large-torrent.js: the torrent is large, the announce is the same shape.
      await expectStartThenStop(server, { extra: { infoHash: randomBytes(20).toString("hex") } });
    }));

  it("single info_hash scrape: the reply names the torrent", () =>
    withServer(async (server) => {
      const infoHash = randomHex20();
      const { client, problems } = newClient(server, { infoHash });
      const scraped = next<ScrapeData>(client, "scrape");
      client.scrape();
      const data = await scraped;
      expectUpdate(data, server.announceUrl);
      expect(data.infoHash).toBe(infoHash);
      expect(typeof data.downloaded).toBe("number");
      expect(problems).toEqual([]);
    }));

  it("Client.scrape static method: the callback gets the torrent's counts", () =>
    withServer(async (server) => {
      const infoHash = randomHex20();
      const data = await new Promise<ScrapeData>((resolve, reject) => {
        const c = Client.scrape({ announce: server.announceUrl, infoHash, wrtc: {} }, (err, d) => (err ? reject(err) : resolve(d)));
        placeholderOffers(c);
      });
      expectUpdate(data, server.announceUrl);
      expect(data.infoHash).toBe(infoHash);
      expect(typeof data.downloaded).toBe("number");
    }));

  it("no update events after destroy()", () =>
    withServer(async (server) => {
      const { client, problems } = newClient(server);
      let updates = 0;
      client.once("update", () => updates++);
      client.update();
      client.destroy();
      await new Promise((r) => setTimeout(r, 1000));
      expect(updates).toBe(0);
      expect(problems).toEqual([]);
    }));
});

// The four cases that never reach a server (bad URLs), once: they test the client alone.
describe("bittorrent-tracker's ws client scenarios without a server", { timeout: 30_000 }, () => {
  for (const url of ["ws://127.0.0.1:69691337", "ws:", "ws://"]) {
    it(`invalid tracker URL ${url}: a warning that names the tracker`, async () => {
      const client = new Client({ infoHash: randomHex20(), announce: url, peerId: PEER_ID, port: 6881, wrtc: {} });
      live.push(client);
      const warning = await next<Error>(client, "warning");
      expect(warning.message).toContain("tracker");
    });
  }

  it("Client.scrape static method with an unreachable URL: the callback gets an error", async () => {
    const err = await new Promise<unknown>((resolve) => {
      const c = Client.scrape({ announce: "ws://invalid.lol", infoHash: randomHex20(), wrtc: {} }, (e) => resolve(e));
      placeholderOffers(c);
    });
    expect(err).toBeInstanceOf(Error);
  });
});
