// Child process for the tracker bench: bittorrent-tracker's own Server, WebSocket only,
// on a free loopback port; or, with --echo, a bare `ws` server that sends every frame
// back (the Node runtime floor to set against the echo Durable Object). Plain JS on
// purpose: running it under tsx would add the loader (and an esbuild service process)
// to the memory we measure for it. It prints `{"port":N}` once listening and exits
// when stdin closes or on SIGTERM.
import Server from "bittorrent-tracker/server";
import { WebSocketServer } from "ws";

const ready = (port) => process.stdout.write(JSON.stringify({ port }) + "\n");
let close;
if (process.argv.includes("--echo")) {
  // Same ws options bittorrent-tracker's Server uses (no compression).
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, clientTracking: false });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on("error", () => {});
  });
  wss.on("listening", () => ready(wss.address().port));
  close = (cb) => wss.close(cb);
} else {
  const server = new Server({ http: false, udp: false, ws: true, stats: false });
  // A bad frame from the load generator must show up as a failure reply, not a crash.
  server.on("error", (err) => process.stderr.write(`tracker error: ${err.message}\n`));
  server.on("warning", () => {});
  server.listen(0, "127.0.0.1", () => {
    const addr = server.http.address();
    ready(typeof addr === "object" && addr ? addr.port : 0);
  });
  close = (cb) => server.close(cb);
}
const quit = () => close(() => process.exit(0));
process.on("SIGTERM", quit);
process.stdin.on("end", quit);
process.stdin.resume();
