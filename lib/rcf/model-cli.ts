/** `train`, `score` and `serve` of scripts/rcf.ts (SageMaker batch mode and the model server). */
import { readFileSync } from "node:fs";
import { readRows } from "../../scripts/rcf";
import { startModelServer } from "../model-server/server";
import { BatchRcfModel, loadModel } from "./model";

export async function runModelCommand(cmd: string, args: Record<string, string>): Promise<void> {
  const need = (k: string) => {
    if (!args[k]) throw new Error(`--${k} is required`);
    return args[k];
  };
  if (cmd === "train") {
    const rows = readRows(readFileSync(need("input"), "utf8"));
    const model = BatchRcfModel.train(rows, { numTrees: Number(args.trees ?? 100), sampleSize: Number(args.samples ?? 256), seed: Number(args.seed ?? 42) });
    model.save(need("output"));
    console.error(`trained on ${rows.length} rows (dim ${model.featureDim}); score mean ${model.stats.mean.toFixed(4)}, std ${model.stats.std.toFixed(4)}`);
    return;
  }
  if (cmd === "score") {
    const model = loadModel(need("model"));
    const scores = model.score(readRows(readFileSync(need("input"), "utf8")));
    process.stdout.write(scores.map((s) => s.toFixed(6)).join("\n") + "\n");
    return;
  }
  const model = loadModel(need("model"));
  const server = await startModelServer({ port: Number(args.port ?? 8080), host: args.host ?? "127.0.0.1", endpoints: { [need("endpoint")]: model } });
  console.log(`model server: POST ${server.url}/endpoints/${args.endpoint}/invocations (Ctrl-C to stop)`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
