// `npm run sim`: the swarm simulator's command line. With no flags it prints EdgeSwarm's
// policy against stock p2p-media-loader for 100, 1,000, 10,000 and 100,000 viewers on one
// channel (same seed, same network). Flags (docs/sim.md):
//   --viewers N        one audience size instead of the four
//   --json             after the table, print EdgeSwarm's result as one JSON line (last line)
//   --seed S  --minutes M  --segment-seconds D  --bitrate MBIT  --budget B
//   --profile lan|cable|dsl|mixed|weak-first|blocked   the network lab's links, no churn, all connectable, 60 s
//   --no-swarm-cap        lift the tracker's MAX_PEERS_PER_SWARM
//   --expected N          the operator's expected audience (TRACKER_EXPECTED_VIEWERS); "viewers": the run's own size
//   --policy edgeswarm|stock|both
//   --one-upload          EdgeSwarm with one upload at a time (the build before upload slots), for comparison
//   --no-probe            EdgeSwarm without the uplink probe (the build before it: slow uplinks upload too), for comparison
import { parseProfile } from "../harness/netlab/profiles";
import { edgeswarm, edgeswarmOneUpload } from "./policies/edgeswarm";
import { stock } from "./policies/stock";
import { causeTable, jsonLine, table } from "./report";
import { DEFAULTS, runPolicy, type RunConfig, type RunResult } from "./run";

function parse(argv: readonly string[]): {
  cfg: Omit<RunConfig, "viewers">;
  viewers: number[];
  json: boolean;
  policies: string;
  expectedSame: boolean;
  oneUpload: boolean;
  noProbe: boolean;
} {
  const cfg: Omit<RunConfig, "viewers"> = { ...DEFAULTS };
  let viewers = [100, 1000, 10_000, 100_000];
  let json = false,
    policies = "both";
  let minutesSet = false;
  let expectedSame = false;
  let oneUpload = false,
    noProbe = false;
  const num = (flag: string, v: string | undefined) => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x) || x <= 0) throw new Error(`${flag} needs a positive number`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i];
    switch (a) {
      case "--viewers":
        viewers = [Math.round(num(a, next()))];
        break;
      case "--json":
        json = true;
        break;
      case "--seed":
        cfg.seed = Math.round(num(a, next()));
        break;
      case "--minutes":
        cfg.minutes = num(a, next());
        minutesSet = true;
        break;
      case "--segment-seconds":
        cfg.segmentS = num(a, next());
        break;
      case "--bitrate":
        cfg.bitrateMbit = num(a, next());
        break;
      case "--budget":
        cfg.budgetS = num(a, next());
        break;
      case "--profile": {
        const p = parseProfile(next() ?? "");
        if (!p) throw new Error("--profile needs lan, cable, dsl, mixed, weak-first or blocked");
        cfg.profile = p;
        break;
      }
      case "--expected": {
        const v = next();
        expectedSame = v === "viewers";
        if (!expectedSame) cfg.expectedViewers = Math.round(num(a, v));
        break;
      }
      case "--one-upload":
        oneUpload = true;
        break;
      case "--no-probe":
        noProbe = true;
        break;
      case "--no-swarm-cap":
        cfg.swarmCap = false;
        break;
      case "--policy": {
        const p = next();
        if (p !== "edgeswarm" && p !== "stock" && p !== "both") throw new Error("--policy needs edgeswarm, stock or both");
        policies = p;
        break;
      }
      default:
        throw new Error(`unknown flag ${a}`);
    }
  }
  if (cfg.profile && !minutesSet) cfg.minutes = 1;
  return { cfg, viewers, json, policies, expectedSame, oneUpload, noProbe };
}

function main(): void {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error(String(e instanceof Error ? e.message : e));
    process.exit(2);
  }
  const { cfg, viewers, json, policies, expectedSame, oneUpload, noProbe } = args;
  const mePolicy = { ...(oneUpload ? edgeswarmOneUpload : edgeswarm), ...(noProbe ? { uplinkProbe: undefined } : {}) };
  const c = cfg;
  console.log(
    `# ${c.profile ? `lab profile ${c.profile}, no churn, all connectable` : "flash crowd + churn, uplinks 20/50/25/5 % at 1/5/20/100 Mbit/s, 20 % pairs unconnectable"}; ` +
      `${c.segmentS} s × ${c.bitrateMbit} Mbit/s segments, ${c.budgetS} s budget, ${c.minutes} min, seed ${c.seed}${c.swarmCap ? "" : ", no swarm cap"}${oneUpload ? ", EdgeSwarm with one upload at a time" : ""}${noProbe ? ", EdgeSwarm without the uplink probe" : ""}${expectedSame ? ", expected audience = viewers" : c.expectedViewers ? `, expected audience ${c.expectedViewers}` : ""}`,
  );
  const rows: RunResult[] = [];
  let mine: RunResult | undefined;
  for (const n of viewers) {
    const run = { ...cfg, viewers: n, expectedViewers: expectedSame ? n : cfg.expectedViewers };
    if (policies !== "stock") rows.push((mine = runPolicy(run, mePolicy)));
    if (policies !== "edgeswarm") rows.push(runPolicy(run, stock));
    const last = rows
      .slice(-2)
      .map((r) => `${r.policy} ${r.seconds.toFixed(1)} s`)
      .join(", ");
    const rt = rows[rows.length - 1]!;
    const busiest = rows.slice(-2).reduce((a, b) => (b.maxObjectRps > a.maxObjectRps ? b : a));
    console.error(
      `  ${n} viewers simulated (${last}); routing: ${rt.routing.refused} upgrades refused, ${rt.routing.failed} joins refused twice (longest wait ${rt.routing.delayedS.toFixed(1)} s); busiest object ${busiest.maxObjectName} in second ${busiest.maxObjectAt}`,
    );
  }
  console.log(table(rows));
  console.log("\n# where the HTTP bytes go: share of all segment bytes by cause (sim/swarm.ts HTTP_CAUSES)");
  console.log(causeTable(rows));
  if (json) {
    if (!mine) {
      const n = viewers[viewers.length - 1]!;
      mine = runPolicy({ ...cfg, viewers: n, expectedViewers: expectedSame ? n : cfg.expectedViewers }, mePolicy);
    }
    console.log(jsonLine(mine));
  }
}

main();
