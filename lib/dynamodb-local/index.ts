/**
 * A local DynamoDB for tests and the local pipeline: dynalite (Apache-2.0, an npm devDependency,
 * DynamoDB's JSON API over HTTP on LevelDB or in memory), run as a Node child process on a loopback
 * port, and the scored-log table created from LOG_TABLE — the same key schema the Terraform table
 * uses.
 *
 * Why not AWS's DynamoDB Local: it ships under AWS's own licence terms, not an open-source one, and
 * this project's registries mark it not to be used. dynalite answers every call the handler, the
 * dashboard and the tests make (BatchWriteItem incl. its duplicate-key check, GetItem, Query on the
 * table and on a global secondary index, Scan, conditional writes). It does not implement
 * UpdateTimeToLive, so the local table has no TTL; the AWS table's TTL is Terraform's, asserted in
 * the synthesis tests.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { freePort, startProcess } from "../java-service";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { keyAttributes, LOG_TABLE } from "../scored-log";

/** The dynalite CLI from node_modules (its version is pinned in package.json). */
export function dynaliteCli(): string {
  return require.resolve("dynalite/cli.js");
}

export interface DynamoDbLocalOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Keep data in memory (default) or in a LevelDB folder at `dbPath`. */
  readonly inMemory?: boolean;
  readonly dbPath?: string;
  /** How long to wait for the server to answer, ms (default 30,000). */
  readonly startTimeoutMs?: number;
}

export interface RunningDynamoDbLocal {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A client for a local endpoint (any credentials work locally). */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const persist = options.dbPath !== undefined && options.inMemory !== true;
  if (persist) mkdirSync(resolve(options.dbPath!), { recursive: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint);
  try {
    const server = await startProcess({
      name: "dynamodb-local",
      command: process.execPath,
      args: [
        dynaliteCli(),
        "--host", "127.0.0.1",
        "--port", String(port),
        // Tables are ACTIVE at once (AWS takes seconds; dynalite imitates that with 500 ms by default).
        "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
        ...(persist ? ["--path", resolve(options.dbPath!)] : []),
      ],
      timeoutMs: options.startTimeoutMs ?? 30_000,
      // Ready when it answers the API (an unknown table is a proper answer).
      ready: () =>
        client.send(new DescribeTableCommand({ TableName: "readiness-probe" })).then(
          () => true,
          (e: Error) => e.name === "ResourceNotFoundException",
        ),
    });
    return { endpoint, port, pid: server.pid, stop: () => server.stop(5000) };
  } finally {
    client.destroy();
  }
}

/**
 * Creates the scored-log table (key schema and sparse anomaly index from LOG_TABLE).
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
}

/** Name of the scored-log table the integration-test setup creates (published as DYNAMODB_TABLE). */
export const TEST_LOG_TABLE_NAME = "logpipe-test-scored-logs";

/**
 * Jest global-setup service: starts the local DynamoDB in memory on a free loopback port, creates
 * the scored-log table, and publishes DYNAMODB_ENDPOINT and DYNAMODB_TABLE to the test workers.
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
