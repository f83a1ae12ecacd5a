// The network lab on real namespaces: hosts reach the bridge and each other (or, blocked,
// only the bridge), the tbf caps carry the profile's rates, the forwarder gives a namespace
// a localhost view of a bridge server over the capped link, and nothing is left behind by
// close(), by SIGTERM, or (after the next open's sweep) by SIGKILL. It asserts reachability
// and clean-up, not speed: throughput belongs to bench/.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { netlabSupport, openNetLab, type NetLab } from "../../../harness/netlab/index.ts";

const execFileP = promisify(execFile);
const support = netlabSupport();
const ROOT = resolve(import.meta.dirname, "../../..");
const BIG = 300_000;

// Runs node inside a namespace; prints "ok <status> <body>" or "fail <error code>". A short
// timeout makes a blocked attempt fail fast; exit() so a hung connect cannot keep it alive.
const FETCH = `const [u, ms] = process.argv.slice(1);
fetch(u, { signal: AbortSignal.timeout(Number(ms)) })
  .then(async (r) => console.log("ok", r.status, await r.text()), (e) => console.log("fail", e.cause?.code ?? e.name))
  .finally(() => process.exit(0));`;

// Async: the bridge servers live in this process and must keep answering meanwhile.
async function fetchIn(ns: string, url: string, ms = 3000): Promise<string> {
  const { stdout } = await execFileP("ip", ["netns", "exec", ns, process.execPath, "-e", FETCH, url, String(ms)], { encoding: "utf8", timeout: ms + 10_000 });
  return stdout.trim();
}

/** An HTTP server inside a namespace on 0.0.0.0:<port> that answers "<tag> <client address>". */
function serveIn(ns: string, port: number, tag: string): Promise<ChildProcess> {
  const script = `require("http").createServer((q, s) => s.end(${JSON.stringify(tag)} + " " + q.socket.remoteAddress))
    .listen(${port}, "0.0.0.0", () => console.log("ready"))`;
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((res, rej) => {
    child.stdout!.once("data", () => res(child));
    child.once("exit", (code) => rej(new Error(`server in ${ns} exited (${code})`)));
  });
}

/** A server on the bridge address answering "bridge <client address>", or BIG bytes on /big. */
async function serveOnBridge(ip: string): Promise<http.Server & { port: number }> {
  const server = http.createServer((q, s) => (q.url === "/big" ? s.end(Buffer.alloc(BIG, 7)) : s.end(`bridge ${q.socket.remoteAddress}`)));
  await new Promise<void>((r) => server.listen(0, ip, r));
  servers.push(server);
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

function qdisc(dev: string, ns?: string): { kind: string; options: { rate: number }; bytes: number } {
  const args = [...(ns ? ["-n", ns] : []), "-s", "-j", "qdisc", "show", "dev", dev];
  return (JSON.parse(execFileSync("tc", args, { encoding: "utf8" })) as Array<{ kind: string; options: { rate: number }; bytes: number }>)[0]!;
}

/** Every lab-made namespace, link and forwarder process of this bridge address still present. */
function leftovers(lab: Pick<NetLab, "bridge" | "bridgeIp"> & { hosts: Array<{ ns: string }> }): string[] {
  const names = [lab.bridge, ...lab.hosts.map((h) => h.ns)];
  const ns = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.split(" ")[0]);
  const links = (JSON.parse(execFileSync("ip", ["-j", "link", "show"], { encoding: "utf8" })) as Array<{ ifname: string }>).map((l) => l.ifname);
  const forwarders = readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
        return cmd.includes("forwarder.mjs") && cmd.includes(lab.bridgeIp);
      } catch {
        return false; // exited while we looked
      }
    });
  return [
    ...names.filter((n) => ns.includes(n)).map((n) => `netns ${n}`),
    ...names.filter((n) => links.includes(n)).map((n) => `link ${n}`),
    ...forwarders.map((p) => `forwarder pid ${p}`),
  ];
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
  }
}

const children: ChildProcess[] = [];
const servers: http.Server[] = [];
const labs: NetLab[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const s of servers) s.close();
  for (const l of labs) await l.close();
});

// Named with the reason, so a machine without namespaces reports why it skipped.
const skipNote = support.ok ? "" : ` (skipped: ${support.reason})`;
describe.skipIf(!support.ok)(`netlab on real namespaces${skipNote}`, () => {
  it("cable lab of 3: each host reaches the bridge from its own address, and host 1 reaches a server inside host 0", async () => {
    const lab = await openNetLab({ profile: "cable", viewers: 3 });
    labs.push(lab);
    expect(lab.hosts.map((h) => h.ip)).toEqual([2, 3, 4].map((n) => lab.bridgeIp.replace(/\.1$/, `.${n}`)));
    const srv = await serveOnBridge(lab.bridgeIp);
    for (const h of lab.hosts) expect(await fetchIn(h.ns, `http://${lab.bridgeIp}:${srv.port}/`)).toBe(`ok 200 bridge ${h.ip}`);
    await serveIn(lab.hosts[0]!.ns, 8080, "host0");
    expect(await fetchIn(lab.hosts[1]!.ns, `http://${lab.hosts[0]!.ip}:8080/`)).toBe(`ok 200 host0 ${lab.hosts[1]!.ip}`);
  });

  it("caps each host's uplink (its eth0) and downlink (the host-side veth) with tbf at the profile's rates", async () => {
    const lab = labs[0]!;
    for (const h of lab.hosts) {
      const up = qdisc("eth0", h.ns);
      const down = qdisc(h.ns);
      expect([up.kind, down.kind]).toEqual(["tbf", "tbf"]);
      // tc -j reports bytes per second: 3 Mbit/s up, 50 Mbit/s down.
      expect(up.options.rate).toBe(h.caps.upKbit * 125);
      expect(down.options.rate).toBe(h.caps.downKbit * 125);
      expect([h.caps.upKbit, h.caps.downKbit]).toEqual([3_000, 50_000]);
    }
  });

  it("forwards 127.0.0.1 and localhost inside a namespace to the bridge server, across the capped link", async () => {
    const lab = labs[0]!;
    const h = lab.hosts[2]!;
    const srv = await serveOnBridge(lab.bridgeIp);
    await h.forward([srv.port]);
    expect(await fetchIn(h.ns, `http://127.0.0.1:${srv.port}/`)).toBe(`ok 200 bridge ${h.ip}`);
    expect(await fetchIn(h.ns, `http://localhost:${srv.port}/`)).toBe(`ok 200 bridge ${h.ip}`);
    const before = qdisc(h.ns).bytes;
    expect(await fetchIn(h.ns, `http://127.0.0.1:${srv.port}/big`)).toMatch(/^ok 200 /);
    expect(qdisc(h.ns).bytes - before).toBeGreaterThanOrEqual(BIG);
  });

  it("routes lab peers over eth0 and everything else to lo, so nothing leaves a namespace except across the bridge", () => {
    const [a, b] = [labs[0]!.hosts[0]!, labs[0]!.hosts[1]!];
    // `ip route get` only asks the routing table; no packet is sent. 198.51.100.1 is TEST-NET-2.
    const dev = (ns: string, to: string) =>
      (JSON.parse(execFileSync("ip", ["-n", ns, "-j", "route", "get", to], { encoding: "utf8" })) as Array<{ dev: string }>)[0]!.dev;
    expect(dev(a.ns, b.ip)).toBe("eth0");
    expect(dev(a.ns, labs[0]!.bridgeIp)).toBe("eth0");
    expect(dev(a.ns, "198.51.100.1")).toBe("lo");
  });

  it("writes a wrapper that runs a program (found on PATH or by path) inside the host's namespace", () => {
    const h = labs[0]!.hosts[1]!;
    const out = execFileSync(h.wrap("ip"), ["-o", "-4", "addr", "show"], { encoding: "utf8" });
    expect(out).toMatch(new RegExp(`\\beth0\\s+inet ${h.ip.replaceAll(".", "\\.")}/24 `));
    expect(out).not.toContain(labs[0]!.bridge);
  });

  it("close() leaves no namespace, link, bridge, forwarder or wrapper behind, and a second close() is fine", async () => {
    const lab = labs.shift()!;
    const wrapper = lab.hosts[0]!.wrap("/bin/true");
    for (const c of children.splice(0)) c.kill("SIGKILL");
    expect(leftovers(lab).filter((l) => l.startsWith("forwarder"))).toHaveLength(1);
    await lab.close();
    expect(leftovers(lab)).toEqual([]);
    expect(existsSync(wrapper)).toBe(false);
    await expect(lab.close()).resolves.toBeUndefined();
    await expect(lab.hosts[0]!.forward([8080])).rejects.toThrow(/closed/);
  });

  it("blocked: a host reaches the bridge but not another host, though that host serves the bridge", async () => {
    const lab = await openNetLab({ profile: "blocked", viewers: 2 });
    labs.push(lab);
    const [a, b] = [lab.hosts[0]!, lab.hosts[1]!];
    const srv = await serveOnBridge(lab.bridgeIp);
    expect(await fetchIn(a.ns, `http://${lab.bridgeIp}:${srv.port}/`)).toBe(`ok 200 bridge ${a.ip}`);
    await serveIn(b.ns, 8080, "host1");
    const fromBridge = await fetch(`http://${b.ip}:8080/`).then((r) => r.text());
    expect(fromBridge).toBe(`host1 ${lab.bridgeIp}`);
    // Its packets to b follow the default route to lo and die inside a's namespace.
    expect(await fetchIn(a.ns, `http://${b.ip}:8080/`, 1500)).toBe("fail TimeoutError");
    expect(qdisc("eth0", a.ns).options.rate).toBe(3_000 * 125);
  });

  it("opens a second lab beside an open one with its own names and /24, and both bridges answer their hosts", async () => {
    const first = labs[0]!;
    const second = await openNetLab({ profile: "lan", viewers: 1 });
    labs.push(second);
    expect(second.bridge).not.toBe(first.bridge);
    expect(second.hosts[0]!.ns).not.toBe(first.hosts[0]!.ns);
    expect(second.bridgeIp.split(".").slice(0, 3)).not.toEqual(first.bridgeIp.split(".").slice(0, 3));
    const srv = await serveOnBridge(second.bridgeIp);
    expect(await fetchIn(second.hosts[0]!.ns, `http://${second.bridgeIp}:${srv.port}/`)).toBe(`ok 200 bridge ${second.hosts[0]!.ip}`);
    await second.close();
    expect(leftovers(second)).toEqual([]);
    expect(leftovers(first).length).toBeGreaterThan(0);
  });

  describe("a process that dies with a lab open", () => {
    const dir = mkdtempSync(join(tmpdir(), "netlab-test-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, "child.mts");
    writeFileSync(
      script,
      `import { openNetLab } from ${JSON.stringify(join(ROOT, "harness/netlab/index.ts"))};
const lab = await openNetLab({ profile: "cable", viewers: 2 });
await lab.hosts[0].forward([8081]);
const wrapper = lab.hosts[1].wrap("/bin/true");
console.log(JSON.stringify({ bridge: lab.bridge, bridgeIp: lab.bridgeIp, hosts: lab.hosts.map((h) => ({ ns: h.ns })), wrapper }));
setInterval(() => {}, 1000);
`,
    );
    const start = async () => {
      const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
      children.push(child);
      const line = await new Promise<string>((res, rej) => {
        let out = "";
        child.stdout!.on("data", (d) => (out += String(d)).includes("\n") && res(out));
        child.once("exit", (code) => rej(new Error(`lab child exited (${code}) before reporting`)));
      });
      const lab = JSON.parse(line) as { bridge: string; bridgeIp: string; hosts: Array<{ ns: string }>; wrapper: string };
      expect(leftovers(lab)).toHaveLength(2 * 2 + 1 + 1); // 2 netns, 2 veths + bridge, 1 forwarder
      return { child, lab };
    };
    const exited = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("exit", r)));

    it("cleans up on SIGTERM through its own handler, and still dies of the signal", async () => {
      const { child, lab } = await start();
      child.kill("SIGTERM");
      await exited(child);
      expect(child.signalCode).toBe("SIGTERM");
      expect(leftovers(lab)).toEqual([]);
      expect(existsSync(lab.wrapper)).toBe(false);
    });

    it("after SIGKILL, its forwarder exits by itself and the next openNetLab sweeps its namespaces, links and wrappers", async () => {
      const { child, lab } = await start();
      child.kill("SIGKILL");
      await exited(child);
      await until("the orphaned forwarder to exit", () => !leftovers(lab).some((l) => l.startsWith("forwarder")));
      expect(leftovers(lab)).toHaveLength(2 * 2 + 1);
      const next = await openNetLab({ profile: "lan", viewers: 1 });
      labs.push(next);
      expect(leftovers(lab)).toEqual([]);
      expect(existsSync(lab.wrapper)).toBe(false);
      expect(next.bridgeIp).not.toBe(labs[0]!.bridgeIp);
    });
  });
});
