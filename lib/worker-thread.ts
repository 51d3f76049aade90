/**
 * Starting a worker thread on one of the project's own modules. Bundled (the producer image) a
 * module is plain JavaScript and runs as is; from source (tests, `npm run` scripts) it is
 * TypeScript, which the worker loads through tsx's require hook, as the parent did.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

export function spawnWorker(file: string, options: WorkerOptions = {}): Worker {
  if (!file.endsWith(".ts")) return new Worker(file, options);
  return new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)});`, { ...options, eval: true });
}
