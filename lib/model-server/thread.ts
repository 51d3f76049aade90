/**
 * The model server on a worker thread of its own. SageMaker scores on other machines than the
 * Lambda; locally, the same process hosts the poller and the handler, and RCF scoring on their
 * thread would take CPU from them that the real pipeline never has to give. Each thread loads its
 * models from the model files.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { loadModel } from "../rcf/model";
import { spawnWorker } from "../worker-thread";
import { startModelServer } from "./server";

export interface ModelServerThreadOptions {
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Endpoint name → model file (written by BatchRcfModel.save). */
  readonly models: Readonly<Record<string, string>>;
}

export interface RunningModelServerThread {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const ROLE = "model-server-thread";
type Ready = { ok: true; url: string; port: number } | { ok: false; error: string };

export async function startModelServerThread(o: ModelServerThreadOptions): Promise<RunningModelServerThread> {
  const worker = spawnWorker(__filename, { workerData: { role: ROLE, options: o } });
  try {
    const ready = await new Promise<{ url: string; port: number }>((resolve, reject) => {
      worker.once("message", (m: Ready) => (m.ok ? resolve(m) : reject(new Error(m.error))));
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the model server thread exited (code ${code}) before it was ready`)));
    });
    // Terminating the thread closes its listening socket with it.
    return { url: ready.url, port: ready.port, close: async () => void (await worker.terminate()) };
  } catch (e) {
    await worker.terminate();
    throw e;
  }
}

async function serve(o: ModelServerThreadOptions): Promise<void> {
  const endpoints = Object.fromEntries(Object.entries(o.models).map(([name, file]) => [name, loadModel(file)]));
  const server = await startModelServer({ host: o.host, port: o.port, endpoints });
  parentPort!.postMessage({ ok: true, url: server.url, port: server.port } satisfies Ready);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  serve((workerData as { options: ModelServerThreadOptions }).options).catch((e: Error) => parentPort!.postMessage({ ok: false, error: e.message } satisfies Ready));
}
