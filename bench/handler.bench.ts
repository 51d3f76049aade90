/**
 * Log-processor handler figures:
 *  1. a 10,000-record batch end to end through the handler (decode → features → one scoring call
 *     to the local RCF model server → 400 BatchWriteItem calls into the local DynamoDB, dynalite): wall time and
 *     records/s. Goal: ≤ 2 s on the 2-core machine.
 *  2. the handler's own CPU cost per record with I/O excluded (clients answer from memory).
 * Run: npm run bench -- handler
 */
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createLogTable, localDynamoDbClient, startDynamoDbLocal } from "../lib/dynamodb-local";
import { buildSelfManagedKafkaEvent, type SelfManagedKafkaEvent } from "../lib/kafka-event";
import { startModelServer } from "../lib/model-server/server";
import { createClients } from "../functions/log-processor/clients";
import { handleKafkaEvent } from "../functions/log-processor/invoke";
import type { ProcessorSettings } from "../functions/log-processor/settings";
import { kafkaRecords } from "../test/unit/log-processor/fixtures";
import { partitionItems } from "../test/unit/log-processor/harness";
import { trainTestModel } from "../test/unit/log-processor/model";

const N = 10_000;
const PARTITIONS = 6;
const RUNS = 5;
const WARMUPS = 8;
const context = { getRemainingTimeInMillis: () => 60_000 };

function eventOf(topic: string): SelfManagedKafkaEvent {
  // Round-trip through JSON: the handler gets what Lambda would deliver.
  return JSON.parse(JSON.stringify(buildSelfManagedKafkaEvent(kafkaRecords(N, { topic, partitions: PARTITIONS }), "127.0.0.1:9092")));
}

async function main(): Promise<void> {
  const ddb = await startDynamoDbLocal({ inMemory: true });
  const { model, threshold } = trainTestModel();
  const server = await startModelServer({ port: 0, endpoints: { rcf: model } });
  const admin = localDynamoDbClient(ddb.endpoint);
  try {
    await createLogTable(admin, "bench-logs");
    const settings: ProcessorSettings = {
      tableName: "bench-logs",
      endpointName: "rcf",
      deadLetterBucket: "unused",
      deadLetterPrefix: "dead-letter/",
      threshold,
      maxRecordBytes: 65536,
      ttlDays: 7,
      reportBatchItemFailures: false,
      sagemakerEndpointUrl: server.url,
      dynamodbEndpointUrl: ddb.endpoint,
      s3EndpointUrl: "http://127.0.0.1:9",
    };
    const clients = createClients(settings, {});

    // Warm-up, not counted: the JITs of both Node processes (ours and dynalite's), connections.
    // What is timed is the steady state.
    for (let w = 0; w < WARMUPS; w++) await handleKafkaEvent(eventOf(`warmup-${w}`), context, { settings, clients });

    const walls: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const topic = `bench-${run}`;
      const event = eventOf(topic);
      const t0 = process.hrtime.bigint();
      const res = await handleKafkaEvent(event, context, { settings, clients });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.batchItemFailures.length > 0) throw new Error("bench batch reported failures");
      walls.push(ms);
      let stored = 0;
      for (let p = 0; p < PARTITIONS; p++) stored += (await partitionItems(DynamoDBDocumentClient.from(admin), "bench-logs", topic, p)).length;
      if (stored !== N) throw new Error(`expected ${N} items, found ${stored}`);
    }
    walls.sort((a, b) => a - b);
    const median = walls[Math.floor(walls.length / 2)];
    console.log(`end to end, ${N} records (${PARTITIONS} partitions) → RCF model server + dynalite, ${RUNS} runs:`);
    console.log(`  wall time median ${median.toFixed(0)} ms (min ${walls[0].toFixed(0)}, max ${walls[walls.length - 1].toFixed(0)}) → ${Math.round(N / (median / 1000))} records/s; goal ≤ 2000 ms: ${median <= 2000 ? "met" : "NOT met"}`);

    // CPU cost with I/O excluded: the same handler, clients answering from memory.
    const scores = (body: Uint8Array) => {
      const rows = Buffer.from(body).toString().split("\n").length;
      return new TextEncoder().encode(JSON.stringify({ scores: Array.from({ length: rows }, () => ({ score: 1 })) }));
    };
    const memoryClients = {
      sagemaker: { send: async (c: { input: { Body: Uint8Array } }) => ({ Body: scores(c.input.Body) }) },
      dynamodb: { send: async () => ({ UnprocessedItems: {} }) },
      s3: { send: async () => ({}) },
    } as unknown as Parameters<typeof handleKafkaEvent>[2]["clients"];
    const cpuEvent = eventOf("cpu");
    await handleKafkaEvent(cpuEvent, context, { settings, clients: memoryClients });
    const cpus: number[] = [];
    for (let run = 0; run < 5; run++) {
      const c0 = process.cpuUsage();
      await handleKafkaEvent(cpuEvent, context, { settings, clients: memoryClients });
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / N);
    }
    cpus.sort((a, b) => a - b);
    console.log(`handler CPU per record, I/O excluded (decode, validate, features, CSV, items, marshalling): median ${cpus[2].toFixed(1)} µs (min ${cpus[0].toFixed(1)}, max ${cpus[4].toFixed(1)})`);
  } finally {
    admin.destroy();
    await server.close();
    await ddb.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
