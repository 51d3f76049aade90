/**
 * What the local services of the pipeline and the tests share (Kafka, the benchmarks' Java
 * harnesses, the local DynamoDB): install jars from Maven Central into the cache folder once, pick
 * free loopback ports, run a service as a child process that dies with its parent, and stop it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(__dirname, "..");

export interface MavenArtifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  /** Maven `type`, e.g. "so" for a native library; default jar. */
  readonly type?: string;
}

export interface MavenInstallOptions {
  /** Folder name under the cache, e.g. "kafka-4.1.0". */
  readonly name: string;
  readonly artifacts: readonly MavenArtifact[];
  /** Cache folder, relative to the repository root or absolute; default ".cache". */
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
}

/**
 * Copies the artifacts and all their runtime dependencies into `<cache>/<name>/lib` with Maven,
 * unless a previous install completed (marker file). Installs into a staging folder and renames
 * it, so an interrupted install never looks complete. Returns the lib folder.
 */
export function installFromMaven(opts: MavenInstallOptions): string {
  const home = join(resolve(REPO_ROOT, opts.cacheDir ?? ".cache"), opts.name);
  const lib = join(home, "lib");
  if (existsSync(join(home, ".installed"))) return lib;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  log(`[${opts.name}] installing ${opts.artifacts.map((a) => `${a.groupId}:${a.artifactId}:${a.version}`).join(", ")} from Maven Central`);
  const staging = `${home}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const deps = opts.artifacts
    .map((a) => `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId><version>${a.version}</version>${a.type ? `<type>${a.type}</type>` : ""}</dependency>`)
    .join("\n");
  writeFileSync(
    join(staging, "pom.xml"),
    `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.logpipe</groupId>
  <artifactId>${opts.name.replace(/[^a-zA-Z0-9.-]/g, "-")}-install</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
</project>
`,
  );
  const r = spawnSync("mvn", ["-B", "-q", "-f", join(staging, "pom.xml"), "dependency:copy-dependencies", "-DincludeScope=runtime", `-DoutputDirectory=${join(staging, "lib")}`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.error) throw new Error(`[${opts.name}] cannot run mvn (is Maven installed?): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`[${opts.name}] mvn failed (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  writeFileSync(join(staging, ".installed"), `${new Date().toISOString()}\n`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(resolve(home, ".."), { recursive: true });
  renameSync(staging, home);
  return lib;
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/** Resolves if nothing listens on 127.0.0.1:port; rejects with a clear message otherwise. */
export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", (e: NodeJS.ErrnoException) =>
      rej(new Error(e.code === "EADDRINUSE" ? `${what}: port ${port} on 127.0.0.1 is already in use; free it or choose another port` : `${what}: cannot use port ${port}: ${e.message}`)),
    );
    srv.listen(port, "127.0.0.1", () => srv.close(() => res()));
  });
}

export interface JavaProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last few KB of its output, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartJavaOptions {
  readonly name: string;
  readonly args: readonly string[];
  /** Polled until it resolves true; the process counts as started then. */
  readonly ready: () => Promise<boolean>;
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

/** A JVM: `java` with `args`, started as `startProcess` starts any service. */
export function startJava(opts: StartJavaOptions): Promise<JavaProcess> {
  return startProcess({ ...opts, command: "java" });
}

/**
 * Starts `command args` as a child process that dies with its parent, and waits until `ready`
 * says it serves (Kafka and the benchmarks' JVMs; the local DynamoDB runs under Node).
 */
export async function startProcess(opts: StartJavaOptions & { readonly command: string }): Promise<JavaProcess> {
  const child = spawn(opts.command, [...opts.args], { stdio: ["ignore", "pipe", "pipe"], cwd: opts.cwd });
  let out = "";
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  // Never outlive the process that started it (a crashed test run or script).
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((r) =>
    child.once("exit", () => {
      process.removeListener("exit", killOnExit);
      r();
    }),
  );
  const handle: JavaProcess = {
    pid: child.pid!,
    child,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`[${opts.name}] exited with ${child.exitCode} while starting:\n${out}`);
    if (await opts.ready().catch(() => false)) return handle;
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`[${opts.name}] not ready within ${opts.timeoutMs ?? 60_000} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
