// `npm start`: build the static assets, make sure a local ingest token exists, and run
// the Worker on http://localhost:8787 with local Durable Object and R2 state (.wrangler/).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args) =>
  new Promise((res, rej) => spawn(cmd, args, { cwd: root, stdio: "inherit" }).on("exit", (c) => (c === 0 ? res() : rej(new Error(`${cmd} exited ${c}`)))));

await run(process.execPath, [join(root, "scripts/build.mjs")]);

// Local secret for /ingest. In production: `npx wrangler secret put INGEST_TOKEN`.
const devVars = join(root, ".dev.vars");
if (!existsSync(devVars) || !/^INGEST_TOKEN=/m.test(readFileSync(devVars, "utf8"))) {
  writeFileSync(devVars, `INGEST_TOKEN=${randomBytes(16).toString("hex")}\n`, { flag: "a" });
  console.log("wrote a local INGEST_TOKEN to .dev.vars");
}

const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
const port = process.env.PORT ?? "8787";
const child = spawn(process.execPath, [wrangler, "dev", "--port", port, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
