/**
 * `npm run local` as a user runs it: comes up with one status line per component, stops
 * everything on Ctrl-C (SIGINT) and leaves no process behind; a port in use is a clear error.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../lib/java-service";

jest.setTimeout(240_000);
const ROOT = resolve(__dirname, "..", "..");
const cacheDir = join(".cache", `test-local-${process.pid}`);

async function configFile(): Promise<{ file: string; ports: number[] }> {
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
  const file = join(mkdtempSync(join(tmpdir(), "local-")), "config.json");
  writeFileSync(file, JSON.stringify({ local: { kafkaPort: ports[0], dynamodbPort: ports[1], modelServerPort: ports[2], dashboardPort: ports[3], cacheDir } }));
  return { file, ports };
}

function run(file: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/local.ts"], { cwd: ROOT, env: { ...process.env, PIPELINE_CONFIG: file, EVENTS_PER_SECOND: "100" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const exited = new Promise<number>((r) => child.on("exit", (code) => r(code ?? -1)));
  return { child, output: () => out, exited };
}

afterAll(() => rmSync(join(ROOT, cacheDir), { recursive: true, force: true }));

it("starts every component, shows progress, and Ctrl-C stops everything it started", async () => {
  const { file, ports } = await configFile();
  const p = run(file);
  const until = Date.now() + 180_000;
  while (!/\[progress\]/.test(p.output()) && Date.now() < until && p.child.exitCode === null) await new Promise((r) => setTimeout(r, 500));
  const out = p.output();
  for (const line of ["[kafka]", "[dynamodb]", "[model]", "[poller]", "[dashboard]", "[producer]", "[local] running", "[progress]"]) expect([line, out.includes(line)]).toEqual([line, true]);
  p.child.kill("SIGINT");
  expect(await p.exited).toBe(0);
  expect(p.output()).toContain("[local] stopped");
  // Nothing listens on its ports any more, and no JVM of it is left.
  const ss = spawnSync("ss", ["-ltn"], { encoding: "utf8" }).stdout;
  for (const port of ports) expect([port, ss.includes(`:${port} `)]).toEqual([port, false]);
  expect(spawnSync("pgrep", ["-f", cacheDir], { encoding: "utf8" }).stdout.trim()).toBe("");
});

it("fails with a clear message when a port is in use", async () => {
  const { file, ports } = await configFile();
  const blocker = createServer().listen(ports[3], "127.0.0.1");
  try {
    const p = run(file);
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(new RegExp(`port ${ports[3]} on 127.0.0.1 is already in use`));
  } finally {
    blocker.close();
  }
});
