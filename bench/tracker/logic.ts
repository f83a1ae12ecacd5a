// The tracker's pure code path in plain Node, with no runtime around it: for the same
// closed-loop traffic as load.ts (announce with offers → relayed offers → answers →
// relayed answers) it runs worker/tracker's parse → handle → serialize and times each
// phase. Subtracting this from workerd's CPU per message tells how much of a Durable
// Object's cost is our code and how much is the runtime (WebSocket I/O, event
// dispatch, isolate entry). Imports the tracker's pure modules only, never the DO.
import { randomBytes } from "node:crypto";
import { parse, serialize } from "../../worker/tracker/protocol.ts";
import { createState } from "../../worker/tracker/state.ts";
import { handle } from "../../worker/tracker/swarm.ts";

export interface LogicResult {
  relayed: number;
  usPerRelayed: number;
  phaseUs: { parse: number; handle: number; serialize: number }; // CPU µs per relayed message
}

const id20 = () => randomBytes(20).toString("latin1");

export function runLogic(opts: { peers: number; swarms: number; offers: number; sdp: string; answerSdp: string; ms: number }): LogicResult {
  let now = Date.now();
  const state = createState(now, false);
  const hashes = Array.from({ length: opts.swarms }, () => id20());
  const peers = Array.from({ length: opts.peers }, (_, i) => ({ sock: i + 1, ih: hashes[i % opts.swarms]!, pid: id20() }));
  const byPid = new Map(peers.map((p) => [p.pid, p]));
  let tParse = 0;
  let tHandle = 0;
  let tSer = 0;
  let relayed = 0;

  // One frame through the tracker; returns the frames it emits (sock, serialized text).
  const step = (sock: number, frame: string): { to: number; text: string }[] => {
    const t0 = performance.now();
    const r = parse(frame);
    const t1 = performance.now();
    if (!r.ok) throw new Error(`tracker refused a bench frame: ${r.reason}`);
    const effects = handle(state, sock, r.msg, now, Math.random);
    const t2 = performance.now();
    const out: { to: number; text: string }[] = [];
    for (const e of effects) if (e.kind === "send") out.push({ to: e.to, text: serialize(e.msg) });
    const t3 = performance.now();
    tParse += t1 - t0;
    tHandle += t2 - t1;
    tSer += t3 - t2;
    return out;
  };

  for (const p of peers) {
    step(
      p.sock,
      JSON.stringify({ action: "announce", event: "started", info_hash: p.ih, peer_id: p.pid, numwant: 0, uploaded: 0, downloaded: 0, left: 0, offers: [] }),
    );
  }
  tParse = tHandle = tSer = 0;
  // Phases are timed with the wall clock; on a shared machine the process is not always
  // on a CPU, so scale by CPU time / wall time of the whole loop to get CPU µs.
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const end = wall0 + opts.ms;
  let i = 0;
  while (performance.now() < end) {
    const p = peers[i++ % peers.length]!;
    now += 1; // time moves so liveness and lifetimes behave as in a real run
    const offers = Array.from({ length: opts.offers }, () => ({ offer: { type: "offer", sdp: opts.sdp }, offer_id: id20() }));
    const out = step(p.sock, JSON.stringify({ action: "announce", info_hash: p.ih, peer_id: p.pid, numwant: 50, uploaded: 0, downloaded: 0, left: 0, offers }));
    for (const o of out) {
      const m = JSON.parse(o.text) as { offer?: unknown; offer_id?: string; peer_id?: string };
      if (!m.offer || !m.offer_id || !m.peer_id) continue;
      relayed++;
      const to = peers[o.to - 1]!;
      const answerOut = step(
        to.sock,
        JSON.stringify({
          action: "announce",
          info_hash: to.ih,
          peer_id: to.pid,
          to_peer_id: m.peer_id,
          offer_id: m.offer_id,
          answer: { type: "answer", sdp: opts.answerSdp },
        }),
      );
      relayed += answerOut.filter((a) => byPid.get(m.peer_id!)?.sock === a.to).length;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const onCpu = Math.min(1, (cpu.user + cpu.system) / 1000 / (performance.now() - wall0));
  const per = (t: number) => (t * 1000 * onCpu) / relayed;
  return {
    relayed,
    usPerRelayed: per(tParse + tHandle + tSer),
    phaseUs: { parse: per(tParse), handle: per(tHandle), serialize: per(tSer) },
  };
}
