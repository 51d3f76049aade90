import { DescribeTableCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogTable, localDynamoDbClient, startDynamoDbLocal, TEST_LOG_TABLE_NAME } from "../../lib/dynamodb-local";
import { itemKey, keyAttributes, LOG_TABLE } from "../../lib/scored-log";

const endpoint = process.env.DYNAMODB_ENDPOINT!;

describe("local DynamoDB (dynalite, global setup)", () => {
  const client = localDynamoDbClient(endpoint);
  const doc = DynamoDBDocumentClient.from(client);
  afterAll(() => client.destroy());

  it("listens on a loopback endpoint and holds the scored-log table", async () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.DYNAMODB_TABLE).toBe(TEST_LOG_TABLE_NAME);
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain(TEST_LOG_TABLE_NAME);
  });

  it("has exactly the key schema and sparse index of LOG_TABLE, active at once", async () => {
    const t = (await client.send(new DescribeTableCommand({ TableName: TEST_LOG_TABLE_NAME }))).Table!;
    expect(t.KeySchema).toEqual([
      { AttributeName: LOG_TABLE.partitionKey.name, KeyType: "HASH" },
      { AttributeName: LOG_TABLE.sortKey.name, KeyType: "RANGE" },
    ]);
    expect(new Set(t.AttributeDefinitions!.map((a) => `${a.AttributeName}:${a.AttributeType}`))).toEqual(new Set(keyAttributes().map((a) => `${a.name}:${a.type}`)));
    const gsi = t.GlobalSecondaryIndexes!.find((g) => g.IndexName === LOG_TABLE.anomalyIndex.name)!;
    expect(gsi.KeySchema).toEqual([
      { AttributeName: LOG_TABLE.anomalyIndex.partitionKey.name, KeyType: "HASH" },
      { AttributeName: LOG_TABLE.anomalyIndex.sortKey.name, KeyType: "RANGE" },
    ]);
    expect(t.TableStatus).toBe("ACTIVE");
  });

  it("stores, overwrites by key, and serves the sparse anomaly index", async () => {
    const k1 = itemKey("it-ddb", 0, 1);
    const k2 = itemKey("it-ddb", 0, 2);
    await doc.send(new BatchWriteCommand({ RequestItems: { [TEST_LOG_TABLE_NAME]: [
      { PutRequest: { Item: { ...k1, status: "scored", anomaly: true, anomalyDay: "2099-01-01", eventTime: "2099-01-01T00:00:00.000Z", v: 1 } } },
      { PutRequest: { Item: { ...k2, status: "scored", anomaly: false, v: 1 } } },
    ] } }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [TEST_LOG_TABLE_NAME]: [{ PutRequest: { Item: { ...k1, status: "scored", anomaly: true, anomalyDay: "2099-01-01", eventTime: "2099-01-01T00:00:00.000Z", v: 2 } } }] } }));
    expect((await doc.send(new GetCommand({ TableName: TEST_LOG_TABLE_NAME, Key: k1 }))).Item).toMatchObject({ v: 2 });
    const q = await doc.send(new QueryCommand({ TableName: TEST_LOG_TABLE_NAME, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "it-ddb#0" } }));
    expect(q.Items!.map((i) => i.sk)).toEqual([k1.sk, k2.sk]);
    const anomalies = await doc.send(new QueryCommand({ TableName: TEST_LOG_TABLE_NAME, IndexName: LOG_TABLE.anomalyIndex.name, KeyConditionExpression: "anomalyDay = :d", ExpressionAttributeValues: { ":d": "2099-01-01" } }));
    expect(anomalies.Items!.map((i) => i.sk)).toEqual([k1.sk]);
  });

  it("rejects a BatchWriteItem that names one key twice (why the handler de-duplicates)", async () => {
    const k = itemKey("it-ddb", 1, 1);
    await expect(doc.send(new BatchWriteCommand({ RequestItems: { [TEST_LOG_TABLE_NAME]: [{ PutRequest: { Item: { ...k } } }, { PutRequest: { Item: { ...k } } }] } }))).rejects.toMatchObject({ name: "ValidationException" });
  });
});

describe("startDynamoDbLocal (programmatic)", () => {
  it("starts on a file database that survives a restart, and createLogTable is idempotent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ddb-local-"));
    // A LevelDB folder: what --db-path gives `npm run local` users who want to keep their data.
    try {
      const first = await startDynamoDbLocal({ dbPath: dir });
      let client = localDynamoDbClient(first.endpoint);
      await createLogTable(client, "persisted");
      await createLogTable(client, "persisted");
      await DynamoDBDocumentClient.from(client).send(new BatchWriteCommand({ RequestItems: { persisted: [{ PutRequest: { Item: { ...itemKey("t", 0, 7), v: "kept" } } }] } }));
      client.destroy();
      await first.stop();

      const second = await startDynamoDbLocal({ dbPath: dir });
      client = localDynamoDbClient(second.endpoint);
      const got = await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: "persisted", Key: itemKey("t", 0, 7) }));
      expect(got.Item).toMatchObject({ v: "kept" });
      client.destroy();
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
