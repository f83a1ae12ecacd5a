// CPU profile of the Worker isolate (where the tracker Durable Object runs) through
// wrangler dev's DevTools proxy, summarised as self time per function and per
// category. Used by `npm run bench:tracker -- --profile`; profiling slows the isolate,
// so it runs in a separate pass and never during a measured round.
import WebSocket from "ws";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  categories: [string, number][]; // name → self ms, descending
  top: [string, number][]; // function → self ms, descending
}

/** Records `ms` of CPU profile from the first target listed by the inspector on `port`. */
export async function profileWorker(inspectorPort: number, ms: number): Promise<Profile> {
  const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = list[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error("no inspector target");
  const ws = new WebSocket(url);
  await new Promise<void>((res, rej) => {
    ws.once("open", () => res());
    ws.once("error", rej);
  });
  let id = 0;
  const pending = new Map<number, (r: unknown) => void>();
  ws.on("message", (d) => {
    const m = JSON.parse(d.toString()) as { id?: number; result?: unknown };
    if (m.id !== undefined) pending.get(m.id)?.(m.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((res, rej) => {
      const n = ++id;
      const t = setTimeout(() => rej(new Error(`${method} timed out`)), 30_000);
      pending.set(n, (r) => {
        clearTimeout(t);
        res(r);
      });
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  try {
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 200 });
    await call("Profiler.start");
    await new Promise((r) => setTimeout(r, ms));
    const r = (await call("Profiler.stop")) as { profile: Profile };
    return r.profile;
  } finally {
    ws.close();
  }
}

function category(f: CallFrame): string {
  const n = f.functionName;
  if (n === "(idle)") return "idle (isolate waiting for I/O)";
  if (n === "(garbage collector)") return "garbage collector";
  if (n === "(program)") return "runtime outside JS (program)";
  if (n === "parse" && f.url === "") return "JSON.parse";
  if (n === "stringify" && f.url === "") return "JSON.stringify";
  if (n === "send") return "WebSocket.send";
  if (/serializeAttachment|deserializeAttachment/.test(n)) return "attachments";
  if (/storage|setAlarm|getAlarm/i.test(n)) return "storage";
  if (/tracker\/protocol/.test(f.url)) return "tracker protocol.ts (parse/serialize)";
  if (/tracker\/swarm/.test(f.url)) return "tracker swarm.ts (logic)";
  if (/tracker\/durable-object/.test(f.url)) return "tracker durable-object.ts (glue)";
  if (f.url === "") return `native: ${n || "(anonymous)"}`;
  return "other JS";
}

export function summarize(p: Profile): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const cats = new Map<string, number>();
  const funcs = new Map<string, number>();
  let total = 0;
  for (const [nid, ms] of self) {
    const f = byId.get(nid)?.callFrame;
    if (!f) continue;
    total += ms;
    const c = category(f);
    cats.set(c, (cats.get(c) ?? 0) + ms);
    const file = f.url.split("/").slice(-2).join("/");
    const key = `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`.trim();
    funcs.set(key, (funcs.get(key) ?? 0) + ms);
  }
  const desc = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, categories: desc(cats), top: desc(funcs).slice(0, 15) };
}
