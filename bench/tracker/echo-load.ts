// Closed-loop echo load for the runtime floor: S sockets each keep one frame of B bytes
// in flight against a server that sends every frame back (the echo DO, or a Node `ws`
// echo in reference-server.mjs --echo). Reports frames handled per second and the
// server's CPU per frame (in + out), which is the per-frame price of the runtime alone.
import WebSocket from "ws";

export interface EchoResult {
  framesPerS: number;
  serverCpuUsPerFrame: number;
}

export async function runEcho(wsUrl: string, sockets: number, frameBytes: number, warmupMs: number, ms: number, serverCpu: () => number): Promise<EchoResult> {
  // A text frame shaped like a relayed offer: three 20-char binary-string ids (chars up
  // to 0xFF, as JSON text) and an SDP's worth of \r\n-separated ASCII.
  const id = () => JSON.stringify(Buffer.from(Array.from({ length: 20 }, (_, i) => (i * 37 + 101) % 256)).toString("latin1"));
  const head = `{"action":"announce","offer_id":${id()},"peer_id":${id()},"info_hash":${id()},"offer":{"type":"offer","sdp":"`;
  const frame = head + "a=x\\r\\n".repeat(Math.max(0, Math.floor((frameBytes - head.length - 3) / 7))) + '"}}';
  let count = 0;
  let running = true;
  const socks: WebSocket[] = [];
  for (let i = 0; i < sockets; i++) {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error("echo connect timeout")), 30_000);
      ws.once("open", () => {
        clearTimeout(t);
        res();
      });
      ws.once("error", (e) => {
        clearTimeout(t);
        rej(e);
      });
    });
    ws.on("message", () => {
      count++;
      if (running) ws.send(frame);
    });
    ws.on("error", () => {});
    socks.push(ws);
  }
  for (const ws of socks) ws.send(frame);
  await new Promise((r) => setTimeout(r, warmupMs));
  const c0 = count;
  const cpu0 = serverCpu();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const frames = count - c0;
  const cpu = serverCpu() - cpu0;
  const s = (performance.now() - t0) / 1000;
  running = false;
  for (const ws of socks) ws.terminate();
  // Each echoed frame is one frame in and one frame out at the server.
  return { framesPerS: (2 * frames) / s, serverCpuUsPerFrame: (cpu * 1e6) / (2 * frames) };
}
