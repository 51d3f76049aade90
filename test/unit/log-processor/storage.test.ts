import { mockClient } from "aws-sdk-client-mock";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { chunk, dedupeByKey, writeItems } from "../../../functions/log-processor/storage";
import { Deadline, type RetryPolicy } from "../../../functions/log-processor/retry";
import type { StoredLog } from "../../../lib/scored-log";

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 2, requestTimeoutMs: 1000 };
const item = (offset: number, tag = "a") => ({ pk: "t#0", sk: String(offset).padStart(20, "0"), status: "rejected", reason: "not-json", detail: tag }) as unknown as StoredLog;

describe("dedupeByKey / chunk", () => {
  it("keeps the last occurrence of each key", () => {
    const out = dedupeByKey([item(1, "first"), item(2), item(1, "last")]);
    expect(out.map((i) => [i.sk, (i as { detail: string }).detail])).toEqual([
      ["00000000000000000002", "a"],
      ["00000000000000000001", "last"],
    ]);
  });
  it("chunks by 25", () => expect(chunk(Array.from({ length: 60 }), 25).map((c) => c.length)).toEqual([25, 25, 10]));
});

describe("writeItems", () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
  beforeEach(() => ddb.reset());

  it("writes 25 per BatchWriteItem, de-duplicated, with exact requests", async () => {
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const items = [...Array.from({ length: 30 }, (_, i) => item(i)), item(3, "dup")];
    const r = await writeItems(items, { client, tableName: "logs", deadline: new Deadline(Date.now() + 5000), policy });
    expect(r).toMatchObject({ written: 30, failed: [], requests: 2 });
    const calls = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems!.logs);
    expect(calls.map((c) => c.length).sort()).toEqual([25, 5].sort());
    const all = calls.flat().map((w) => w.PutRequest!.Item!);
    expect(new Set(all.map((i) => i.sk)).size).toBe(30);
    expect(all.find((i) => i.sk === "00000000000000000003")!.detail).toBe("dup");
  });

  it("resends UnprocessedItems until all are written", async () => {
    let call = 0;
    ddb.on(BatchWriteCommand).callsFake((input) => {
      const reqs = input.RequestItems.logs;
      call++;
      // First answer withholds all but one item, second withholds one, third takes the rest.
      if (call === 1) return { UnprocessedItems: { logs: reqs.slice(1) } };
      if (call === 2) return { UnprocessedItems: { logs: reqs.slice(0, 1) } };
      return { UnprocessedItems: {} };
    });
    const retries: string[] = [];
    const r = await writeItems(Array.from({ length: 5 }, (_, i) => item(i)), { client, tableName: "logs", deadline: new Deadline(Date.now() + 5000), policy, onRetry: (op) => retries.push(op) });
    expect(r.written).toBe(5);
    expect(r.failed).toEqual([]);
    expect(ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems!.logs.length)).toEqual([5, 4, 1]);
    expect(retries).toEqual(["BatchWriteItem.UnprocessedItems", "BatchWriteItem.UnprocessedItems"]);
  });

  it("reports items still unprocessed when the budget is spent", async () => {
    ddb.on(BatchWriteCommand).callsFake((input) => ({ UnprocessedItems: { logs: input.RequestItems.logs.slice(0, 2) } }));
    const r = await writeItems(Array.from({ length: 4 }, (_, i) => item(i)), { client, tableName: "logs", deadline: new Deadline(Date.now() + 5000), policy });
    expect(r.written).toBe(2);
    expect(r.failed.map((f) => f.item.sk)).toEqual(["00000000000000000000", "00000000000000000001"]);
  });

  it("retries throttled requests and falls back to PutItem when a request is invalid", async () => {
    let n = 0;
    ddb.on(BatchWriteCommand).callsFake(() => {
      if (n++ === 0) throw Object.assign(new Error("throttled"), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } });
      throw Object.assign(new Error("item too large"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } });
    });
    ddb.on(PutCommand).callsFake((input) => {
      if (input.Item.sk === "00000000000000000001") throw Object.assign(new Error("too large"), { name: "ValidationException" });
      return {};
    });
    const r = await writeItems([item(0), item(1), item(2)], { client, tableName: "logs", deadline: new Deadline(Date.now() + 5000), policy });
    expect(r.written).toBe(2);
    expect(r.failed.map((f) => f.item.sk)).toEqual(["00000000000000000001"]);
    expect(ddb.commandCalls(PutCommand).map((c) => c.args[0].input.TableName)).toEqual(["logs", "logs", "logs"]);
  });
});
