/**
 * DynamoDB Local for tests and the local pipeline: installed from Maven Central with Maven into
 * the cache folder (jars plus the native sqlite4java library it needs), started as a Java child
 * process on a loopback port, and the scored-log table created from LOG_TABLE — the same key
 * schema the Terraform table uses.
 *
 * Note: DynamoDB Local has no option to choose its bind address; it listens on every interface of
 * the port it is given. Clients here always connect through 127.0.0.1.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort, installFromMaven, startJava } from "../java-service";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { keyAttributes, LOG_TABLE } from "../scored-log";

export const DYNAMODB_LOCAL_GROUP = "software.amazon.dynamodb";
export const DYNAMODB_LOCAL_VERSION = "3.1.0";
export const SQLITE4JAVA_VERSION = "1.0.392";
const MAIN_CLASS = "software.amazon.dynamodb.services.local.main.ServerRunner";
const NATIVE_LIB = "libsqlite4java-linux-amd64";


/**
 * Installs DynamoDB Local into `<cacheDir>/dynamodb-local-<version>/lib` unless already there,
 * plus the native sqlite4java library under the name it looks for. Returns the lib folder.
 */
export function installDynamoDbLocal(options: { cacheDir?: string; log?: (line: string) => void } = {}): string {
  const lib = installFromMaven({
    name: `dynamodb-local-${DYNAMODB_LOCAL_VERSION}`,
    cacheDir: options.cacheDir,
    log: options.log,
    artifacts: [
      { groupId: DYNAMODB_LOCAL_GROUP, artifactId: "DynamoDBLocal", version: DYNAMODB_LOCAL_VERSION },
      { groupId: "com.almworks.sqlite4java", artifactId: NATIVE_LIB, version: SQLITE4JAVA_VERSION, type: "so" },
    ],
  });
  // sqlite4java looks for lib<name>.so on java.library.path; Maven names it with its version.
  const target = join(lib, `${NATIVE_LIB}.so`);
  if (!existsSync(target)) {
    const native = readdirSync(lib).find((f) => f.startsWith(NATIVE_LIB) && f.endsWith(".so"));
    if (!native) throw new Error(`[dynamodb-local] ${NATIVE_LIB} .so was not downloaded`);
    copyFileSync(join(lib, native), target);
  }
  return lib;
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

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const lib = installDynamoDbLocal({ cacheDir: options.cacheDir });
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const persist = options.dbPath !== undefined && options.inMemory !== true;
  if (persist) mkdirSync(resolve(options.dbPath!), { recursive: true });
  const storage = persist ? ["-dbPath", resolve(options.dbPath!)] : ["-inMemory"];
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint);
  try {
    const java = await startJava({
      name: "dynamodb-local",
      args: [`-Djava.library.path=${lib}`, ...(options.javaOptions ?? DEFAULT_JAVA_OPTIONS), "-cp", `${lib}/*`, MAIN_CLASS, ...storage, "-port", String(port), "-sharedDb", "-disableTelemetry"],
      timeoutMs: options.startTimeoutMs ?? 30_000,
      // Ready when it answers the API (an unknown table is a proper answer).
      ready: () =>
        client.send(new DescribeTableCommand({ TableName: "readiness-probe" })).then(
          () => true,
          (e: Error) => e.name === "ResourceNotFoundException",
        ),
    });
    return { endpoint, port, pid: java.pid, stop: () => java.stop(5000) };
  } finally {
    client.destroy();
  }
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
