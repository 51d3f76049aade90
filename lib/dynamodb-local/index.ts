/**
 * DynamoDB Local for tests and the local pipeline: installed from Maven Central with Maven into
 * the cache folder (jars plus the native sqlite4java library it needs), started as a Java child
 * process on a loopback port, and the scored-log table created from LOG_TABLE — the same key
 * schema the Terraform table uses.
 *
 * Note: DynamoDB Local has no option to choose its bind address; it listens on every interface of
 * the port it is given. Clients here always connect through 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { keyAttributes, LOG_TABLE } from "../scored-log";

export const DYNAMODB_LOCAL_GROUP = "software.amazon.dynamodb";
export const DYNAMODB_LOCAL_VERSION = "3.1.0";
export const SQLITE4JAVA_VERSION = "1.0.392";
const MAIN_CLASS = "software.amazon.dynamodb.services.local.main.ServerRunner";
const NATIVE_LIB = "libsqlite4java-linux-amd64";

const repoRoot = resolve(__dirname, "..", "..");

export function dynamoDbLocalHome(cacheDir = join(repoRoot, ".cache")): string {
  return join(resolve(repoRoot, cacheDir), "dynamodb-local", DYNAMODB_LOCAL_VERSION);
}

function pom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.logpipe</groupId>
  <artifactId>dynamodb-local-install</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${DYNAMODB_LOCAL_GROUP}</groupId>
      <artifactId>DynamoDBLocal</artifactId>
      <version>${DYNAMODB_LOCAL_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>com.almworks.sqlite4java</groupId>
      <artifactId>${NATIVE_LIB}</artifactId>
      <version>${SQLITE4JAVA_VERSION}</version>
      <type>so</type>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * Installs DynamoDB Local into `<cacheDir>/dynamodb-local/<version>/lib` unless already there.
 * Needs `mvn` and Java 17+ on PATH. Returns the lib folder.
 */
export function installDynamoDbLocal(options: { cacheDir?: string; log?: (line: string) => void } = {}): string {
  const home = dynamoDbLocalHome(options.cacheDir);
  const lib = join(home, "lib");
  if (existsSync(join(home, ".installed"))) return lib;
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  log(`[dynamodb-local] installing ${DYNAMODB_LOCAL_GROUP}:DynamoDBLocal:${DYNAMODB_LOCAL_VERSION} with Maven into ${home}`);
  const staging = `${home}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, "pom.xml"), pom());
  const r = spawnSync("mvn", ["-B", "-q", "-f", join(staging, "pom.xml"), "dependency:copy-dependencies", `-DoutputDirectory=${join(staging, "lib")}`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.error) throw new Error(`[dynamodb-local] cannot run mvn (is Maven installed?): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`[dynamodb-local] mvn failed (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  // sqlite4java looks for lib<name>.so (or its versioned name) on java.library.path.
  const native = readdirSync(join(staging, "lib")).find((f) => f.startsWith(NATIVE_LIB) && f.endsWith(".so"));
  if (!native) throw new Error(`[dynamodb-local] ${NATIVE_LIB} .so was not downloaded`);
  copyFileSync(join(staging, "lib", native), join(staging, "lib", `${NATIVE_LIB}.so`));
  writeFileSync(join(staging, ".installed"), `${DYNAMODB_LOCAL_VERSION}\n`);
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

export const DEFAULT_JAVA_OPTIONS: readonly string[] = ["-Xms512m", "-Xmx1g", "-XX:+UseSerialGC"];

export interface DynamoDbLocalOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Keep data in memory (default) or in sqlite files under `dbPath`. */
  readonly inMemory?: boolean;
  readonly dbPath?: string;
  readonly cacheDir?: string;
  /** Extra JVM options (default: a fixed heap and the serial collector, which cost least CPU here). */
  readonly javaOptions?: readonly string[];
  /** How long to wait for the server to answer, ms. */
  readonly startTimeoutMs?: number;
}

export interface RunningDynamoDbLocal {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A client for a local endpoint (any credentials work; -sharedDb ignores them). */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`[dynamodb-local] exited with ${child.exitCode}:\n${output()}`);
      try {
        await client.send(new DescribeTableCommand({ TableName: "readiness-probe" }));
        return;
      } catch (e) {
        if ((e as Error).name === "ResourceNotFoundException") return;
      }
      if (Date.now() > until) throw new Error(`[dynamodb-local] did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.destroy();
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const lib = installDynamoDbLocal({ cacheDir: options.cacheDir });
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const storage = options.dbPath && options.inMemory !== true ? ["-dbPath", resolve(options.dbPath)] : ["-inMemory"];
  if (options.dbPath && options.inMemory !== true) mkdirSync(resolve(options.dbPath), { recursive: true });
  const args = [`-Djava.library.path=${lib}`, ...(options.javaOptions ?? DEFAULT_JAVA_OPTIONS), "-cp", `${lib}/*`, MAIN_CLASS, ...storage, "-port", String(port), "-sharedDb", "-disableTelemetry"];
  const child = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, () => out, options.startTimeoutMs ?? 30_000);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  // Never outlive the process that started it (a crashed test run or script).
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((r) =>
    child.once("exit", () => {
      process.removeListener("exit", killOnExit);
      r();
    }),
  );
  return {
    endpoint,
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Creates the scored-log table (key schema, sparse anomaly index and TTL from LOG_TABLE).
 * Idempotent: an existing table is left as it is.
 */
export async function createLogTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: keyAttributes().map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        KeySchema: [
          { AttributeName: LOG_TABLE.partitionKey.name, KeyType: "HASH" },
          { AttributeName: LOG_TABLE.sortKey.name, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: LOG_TABLE.anomalyIndex.name,
            KeySchema: [
              { AttributeName: LOG_TABLE.anomalyIndex.partitionKey.name, KeyType: "HASH" },
              { AttributeName: LOG_TABLE.anomalyIndex.sortKey.name, KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      }),
    );
  } catch (e) {
    if (e instanceof ResourceInUseException) return;
    throw e;
  }
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: LOG_TABLE.ttlAttribute, Enabled: true } }));
}

/** Name of the scored-log table the integration-test setup creates (published as DYNAMODB_TABLE). */
export const TEST_LOG_TABLE_NAME = "logpipe-test-scored-logs";

/**
 * Jest global-setup service: starts DynamoDB Local in memory on a free loopback port, creates the
 * scored-log table, and publishes DYNAMODB_ENDPOINT and DYNAMODB_TABLE to the test workers.
 */
export const dynamoDbLocalService = {
  name: "dynamodb-local",
  async start(): Promise<{ name: string; stop(): Promise<void> }> {
    const ddb = await startDynamoDbLocal({ inMemory: true });
    const client = localDynamoDbClient(ddb.endpoint);
    try {
      await createLogTable(client, TEST_LOG_TABLE_NAME);
    } finally {
      client.destroy();
    }
    process.env.DYNAMODB_ENDPOINT = ddb.endpoint;
    process.env.DYNAMODB_TABLE = TEST_LOG_TABLE_NAME;
    return { name: "dynamodb-local", stop: () => ddb.stop() };
  },
};
