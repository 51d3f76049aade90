/**
 * `npx tsx scripts/dynamodb-local.ts start [--port N] [--db-path DIR] [--table NAME]` runs the
 * local DynamoDB (dynalite, installed by `npm ci`) on 127.0.0.1 in the foreground: in memory unless
 * --db-path names a LevelDB folder, creating the scored-log table when --table is given. Ctrl-C
 * stops it.
 */
import { createLogTable, localDynamoDbClient, startDynamoDbLocal } from "../lib/dynamodb-local";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd === "start") {
    const port = Number(arg("--port") ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${arg("--port")}" is not a port number`);
    const dbPath = arg("--db-path");
    const ddb = await startDynamoDbLocal({ port, dbPath, inMemory: dbPath === undefined });
    const table = arg("--table");
    if (table) {
      const client = localDynamoDbClient(ddb.endpoint);
      await createLogTable(client, table);
      client.destroy();
    }
    console.log(`local DynamoDB (dynalite) ${ddb.endpoint} (pid ${ddb.pid})${table ? `, table ${table}` : ""}`);
    const stop = () => void ddb.stop().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    return;
  }
  console.error("usage: tsx scripts/dynamodb-local.ts start [--port N] [--db-path DIR] [--table NAME]");
  process.exit(2);
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
