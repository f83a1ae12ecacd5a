// A TCP forwarder run inside a lab namespace (`ip netns exec <ns> node forwarder.mjs <target
// ip> <port>...`): it listens on 127.0.0.1:<port> (and [::1]:<port> where the namespace has
// IPv6 loopback) and pipes each connection to <target ip>:<port>. A page at
// http://localhost:<port> is then a secure context (crypto.subtle exists) while every byte
// still crosses the namespace's capped link to the bridge. Prints "ready <ports>" on stdout
// once all listeners are up, and exits when stdin (the pipe from the process that started
// it) closes, so it cannot outlive a parent that died. It does not inspect or change bytes.
// Plain .mjs, not .ts: it must start with bare `node`, no loader, inside the namespace.
import net from "node:net";

const [target, ...portArgs] = process.argv.slice(2);
const ports = portArgs.map(Number);
if (!target || net.isIP(target) === 0 || ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
  process.stderr.write(`usage: forwarder.mjs <target ip> <port>...; got ${process.argv.slice(2).join(" ")}\n`);
  process.exit(2);
}

function pipeTo(port) {
  return (client) => {
    const upstream = net.connect({ host: target, port });
    // Small messages (WebSocket frames, tracker offers) must not wait for Nagle.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side failing ends both; a reset from one side must not crash the forwarder.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  };
}

function listen(port, host) {
  return new Promise((resolve, reject) => {
    const server = net.createServer(pipeTo(port));
    server.once("error", reject);
    server.listen({ port, host }, () => resolve(server));
  });
}

try {
  for (const port of ports) {
    await listen(port, "127.0.0.1");
    // Chromium may try ::1 first for "localhost"; a namespace without IPv6 simply has none.
    await listen(port, "::1").catch((e) => {
      if (e.code !== "EADDRNOTAVAIL" && e.code !== "EAFNOSUPPORT") throw e;
    });
  }
} catch (e) {
  process.stderr.write(`forwarder: ${e.message}\n`);
  process.exit(1);
}
process.stdout.write(`ready ${ports.join(" ")}\n`);
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
