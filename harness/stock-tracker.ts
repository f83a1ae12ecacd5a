// bittorrent-tracker's own Server (the "stock" tracker every p2p-media-loader deployment
// starts with), WebSocket only, in this process, on a free port (loopback unless a host
// such as a netlab bridge address is given). The swarm bench runs the stock variant
// against it so the comparison with the Worker tracker is fair.
// It does not change the server's defaults (interval, peer limits) beyond turning off the
// HTTP/UDP announce and stats endpoints nobody here uses.
import type { AddressInfo } from "node:net";

interface BtServer {
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  on(ev: "error" | "warning", fn: (e: Error) => void): void;
  http: { address(): AddressInfo | string | null } | null;
  ws: { clients?: Set<unknown> } | null;
}

export interface StockTracker {
  wsUrl: string; // ws://<host>:<port>, 127.0.0.1 by default
  port: number;
  /** Errors and warnings the server raised (a bad client frame, etc.), for reports. */
  problems: string[];
  stop(): Promise<void>;
}

// Non-literal specifier: bittorrent-tracker ships no types; this keeps tsc from demanding a
// declaration while the shape we use is typed above.
const BT_SERVER = "bittorrent-tracker/server";

/** `host`: the address to listen on (default 127.0.0.1), e.g. a netlab bridge address. */
export async function startStockTracker(opts: { host?: string } = {}): Promise<StockTracker> {
  const host = opts.host ?? "127.0.0.1";
  const mod = (await import(BT_SERVER)) as { default: new (o: Record<string, unknown>) => BtServer };
  const server = new mod.default({ http: false, udp: false, ws: true, stats: false });
  const problems: string[] = [];
  // The server emits "error" for one client's bad frame; unhandled, that would kill the bench.
  server.on("error", (e) => problems.push(`error: ${e.message}`));
  server.on("warning", (e) => problems.push(`warning: ${e.message}`));
  await new Promise<void>((r) => server.listen(0, host, r));
  const addr = server.http?.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  if (!port) throw new Error("stock tracker did not report a port");
  return {
    wsUrl: `ws://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    problems,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
