// Child process for the tracker bench: bittorrent-tracker's own Server, WebSocket only,
// on a free loopback port. Plain JS on purpose: running it under tsx would add the
// loader (and an esbuild service process) to the memory we measure for it. It prints
// `{"port":N}` once listening and exits when stdin closes or on SIGTERM.
import Server from "bittorrent-tracker/server";

const server = new Server({ http: false, udp: false, ws: true, stats: false });
// A bad frame from the load generator must show up as a failure reply, not a crash.
server.on("error", (err) => process.stderr.write(`tracker error: ${err.message}\n`));
server.on("warning", () => {});
server.listen(0, "127.0.0.1", () => {
  const addr = server.http.address();
  process.stdout.write(JSON.stringify({ port: typeof addr === "object" && addr ? addr.port : 0 }) + "\n");
});
const quit = () => server.close(() => process.exit(0));
process.on("SIGTERM", quit);
process.stdin.on("end", quit);
process.stdin.resume();
