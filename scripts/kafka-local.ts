/**
 * The local Kafka broker from the command line:
 *   tsx scripts/kafka-local.ts install   download the jars (cached in .cache/)
 *   tsx scripts/kafka-local.ts start     start in the background (idempotent), print the address
 *   tsx scripts/kafka-local.ts status    running or not, and where
 *   tsx scripts/kafka-local.ts stop      controlled shutdown (idempotent)
 *   tsx scripts/kafka-local.ts run       run in the foreground until Ctrl-C
 * Port: config.local.kafkaPort (PIPELINE_* overrides apply). Data: .cache/kafka-data.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../lib/config";
import { REPO_ROOT } from "../lib/java-service";
import { installKafka, isListening, startLocalKafka } from "../lib/kafka-local";

const config = loadConfig();
const dataDir = join(config.local.cacheDir, "kafka-data");
const pidFile = join(REPO_ROOT, dataDir + ".pid");
const port = config.local.kafkaPort;

function runningPid(): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8"));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    rmSync(pidFile, { force: true });
    return undefined;
  }
}

async function main(cmd: string | undefined): Promise<void> {
  switch (cmd) {
    case "install":
      console.log(`kafka ${config.versions.kafka} jars in ${installKafka({ version: config.versions.kafka, cacheDir: config.local.cacheDir })}`);
      return;
    case "run": {
      const kafka = await startLocalKafka({ version: config.versions.kafka, port, dataDir, cacheDir: config.local.cacheDir });
      writeFileSync(pidFile, String(process.pid));
      console.log(`kafka ${config.versions.kafka} listening on ${kafka.brokers.join(",")}`);
      const shutdown = async () => {
        await kafka.stop();
        rmSync(pidFile, { force: true });
        process.exit(0);
      };
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
      return;
    }
    case "start": {
      if (runningPid()) {
        console.log(`kafka already running on 127.0.0.1:${port}`);
        return;
      }
      installKafka({ version: config.versions.kafka, cacheDir: config.local.cacheDir });
      const child = spawn(process.execPath, ["--import", "tsx", __filename, "run"], { cwd: REPO_ROOT, detached: true, stdio: "ignore", env: process.env });
      child.unref();
      const until = Date.now() + 60_000;
      while (!(await isListening(port))) {
        if (Date.now() > until) throw new Error(`kafka did not come up on 127.0.0.1:${port} within 60 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
      console.log(`kafka ${config.versions.kafka} started on 127.0.0.1:${port} (pid ${child.pid})`);
      return;
    }
    case "status": {
      const pid = runningPid();
      console.log(pid ? `kafka running on 127.0.0.1:${port} (pid ${pid})` : "kafka not running");
      process.exitCode = pid ? 0 : 3;
      return;
    }
    case "stop": {
      const pid = runningPid();
      if (!pid) {
        console.log("kafka not running");
        return;
      }
      process.kill(pid, "SIGTERM");
      while (runningPid()) await new Promise((r) => setTimeout(r, 250));
      console.log("kafka stopped");
      return;
    }
    default:
      console.error("usage: tsx scripts/kafka-local.ts install|start|status|stop|run");
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
