/**
 * The RCF from the command line.
 *   stream --trees N --samples N --time-decay X --shingle N --seed N --input FILE.csv [--column value] [--damp true]
 *       one score per input row (0 during warm-up), AWS streaming semantics
 *   train --input FEATURES.csv --output MODEL.json [--trees N --samples N --seed N]
 *       SageMaker batch mode: fit on CSV feature rows (no header), write the model file
 *   score --model MODEL.json --input FEATURES.csv      one score per row, model unchanged
 *   serve --model MODEL.json --endpoint NAME [--port N] SageMaker-protocol model server
 */
import { readFileSync } from "node:fs";
import { RandomCutForest, Shingle } from "../lib/rcf/forest";

export function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
    out[a.slice(2)] = v;
    i++;
  }
  return out;
}

function num(args: Record<string, string>, name: string, fallback: number): number {
  if (args[name] === undefined) return fallback;
  const v = Number(args[name]);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got ${args[name]}`);
  return v;
}

/** Reads one numeric column of a CSV with a header row. */
export function readColumn(text: string, column: string): number[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = lines[0].split(",").map((h) => h.trim());
  const idx = header.indexOf(column);
  if (idx < 0) throw new Error(`no column "${column}" in header ${header.join(",")}`);
  return lines.slice(1).map((l, i) => {
    const v = Number(l.split(",")[idx]);
    if (!Number.isFinite(v)) throw new Error(`row ${i + 2}: ${column} is not a number`);
    return v;
  });
}

/** Reads CSV feature rows (no header). */
export function readRows(text: string): number[][] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      const row = l.split(",").map(Number);
      if (row.some((x) => !Number.isFinite(x))) throw new Error(`row ${i + 1} has a value that is not a number`);
      return row;
    });
}

/** Points per processBlock call in `stream`: enough to keep a tree in cache, small next to a series. */
const STREAM_BLOCK = 1024;

export function streamScores(values: number[], o: { trees: number; samples: number; timeDecay: number; shingle: number; seed: number; damp: boolean }): number[] {
  const forest = new RandomCutForest({ dimensions: o.shingle, numTrees: o.trees, sampleSize: o.samples, timeDecay: o.timeDecay, seed: o.seed, dampDuplicates: o.damp });
  // The first shingle−1 values make no point and score 0; the rest go through the forest in
  // blocks (same scores as one at a time, faster: see RandomCutForest.processBlock).
  const points = Shingle.points(values, o.shingle);
  const scores = new Array<number>(values.length).fill(0);
  const first = values.length - points.length;
  for (let i = 0; i < points.length; i += STREAM_BLOCK) {
    const block = forest.processBlock(points.slice(i, i + STREAM_BLOCK));
    for (let j = 0; j < block.length; j++) scores[first + i + j] = block[j];
  }
  return scores;
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const args = parseArgs(rest);
  switch (cmd) {
    case "stream": {
      if (!args.input) throw new Error("--input is required");
      const values = readColumn(readFileSync(args.input, "utf8"), args.column ?? "value");
      const scores = streamScores(values, {
        trees: num(args, "trees", 100),
        samples: num(args, "samples", 256),
        timeDecay: num(args, "time-decay", 0),
        shingle: num(args, "shingle", 1),
        seed: num(args, "seed", 42),
        // Kinesis Analytics (the streaming reference) does not damp duplicates; --damp true for the Java library's score.
        damp: (args.damp ?? "false") === "true",
      });
      process.stdout.write(scores.map((s) => s.toFixed(6)).join("\n") + "\n");
      return;
    }
    case "train":
    case "score":
    case "serve": {
      const { runModelCommand } = await import("../lib/rcf/model-cli");
      await runModelCommand(cmd, args);
      return;
    }
    default:
      throw new Error("usage: tsx scripts/rcf.ts stream|train|score|serve [--flags]");
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
