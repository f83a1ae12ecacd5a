// Test helper: opens a tracker WebSocket through the real Worker (exports.default.fetch with
// Upgrade: websocket) and queues the frames it receives, for the tracker's workerd tests.
import { env, exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { Env } from "../../../worker/env";
import { registry } from "../../../worker/tracker/registry";

/** The test Worker's env as the Worker's code types it (vars and secrets optional), so tests can unset one. */
export const testEnv: Env = env;

// The object handles a close after the client's side of it is done, and lists a shard in the
// registry in the background after the upgrade: tests wait for that state, not for a time.
const WAIT = { timeout: 5000, interval: 20 };

/** Resolves once tracker shard `shard` holds exactly `n` peers. */
export async function untilPeers(shard: string, n: number): Promise<void> {
  await vi.waitFor(async () => expect((await testEnv.TRACKER.getByName(shard).shardStats()).peers).toBe(n), WAIT);
}

/** Resolves once the shard registry lists tracker shard `shard`. */
export async function untilListed(shard: string): Promise<void> {
  await vi.waitFor(async () => expect((await registry(testEnv).list(1, shard)).map((e) => e.name)).toContain(shard), WAIT);
}

export interface TestSocket {
  ws: WebSocket;
  send(obj: unknown): void;
  sendRaw(text: string | ArrayBuffer): void;
  /** Next received frame parsed as JSON (waits up to `ms`). */
  next(ms?: number): Promise<Record<string, unknown>>;
  /** Resolves with nothing if no frame arrives within `ms`; rejects if one does. */
  silent(ms?: number): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a tracker socket; `headers` are sent with the upgrade (e.g. CF-Connecting-IP, as Cloudflare's edge sets it). */
export async function connect(path = "/announce/test", headers: Record<string, string> = {}): Promise<TestSocket> {
  const res = await exports.default.fetch(`https://tracker.test${path}`, { headers: { ...headers, upgrade: "websocket" } });
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const ws = res.webSocket;
  ws.accept();
  const queue: string[] = [];
  const waiters: ((s: string) => void)[] = [];
  ws.addEventListener("message", (ev) => {
    const data = typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
    const w = waiters.shift();
    if (w) w(data);
    else queue.push(data);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener("close", (ev) => resolve({ code: ev.code, reason: ev.reason }));
  });
  const take = (ms: number) =>
    new Promise<string>((resolve, reject) => {
      const q = queue.shift();
      if (q !== undefined) return resolve(q);
      const t = setTimeout(() => {
        const i = waiters.indexOf(fn);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`no frame within ${ms} ms`));
      }, ms);
      const fn = (s: string) => {
        clearTimeout(t);
        resolve(s);
      };
      waiters.push(fn);
    });
  return {
    ws,
    send: (obj) => ws.send(JSON.stringify(obj)),
    sendRaw: (t) => ws.send(t),
    next: async (ms = 5000) => JSON.parse(await take(ms)),
    silent: async (ms = 300) => {
      let got: string | null = null;
      try {
        got = await take(ms);
      } catch {
        return;
      }
      throw new Error(`expected silence, got ${got}`);
    },
    closed,
    close: () => {
      try {
        ws.close(1000, "bye");
      } catch {
        /* already closed */
      }
    },
  };
}

let counter = 0;
/** A distinct 20-char binary-string id per call, tagged for readable failures. */
export function id20(tag: string): string {
  counter++;
  return `${tag}-${counter}`.padEnd(20, "x").slice(0, 20);
}

export const SDP_OFFER = { type: "offer", sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n" };
export const SDP_ANSWER = { type: "answer", sdp: "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\n" };

export function announce(infoHash: string, peerId: string, extra: Record<string, unknown> = {}) {
  return { action: "announce", info_hash: infoHash, peer_id: peerId, numwant: 5, uploaded: 0, downloaded: 0, ...extra };
}

export function offers(n: number, tag = "o") {
  return Array.from({ length: n }, () => ({ offer: SDP_OFFER, offer_id: id20(tag) }));
}
