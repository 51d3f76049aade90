import { SERVICES, StartedService } from "./services";

declare global {
  // eslint-disable-next-line no-var
  var __startedServices: StartedService[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started: StartedService[] = [];
  globalThis.__startedServices = started;
  for (const def of SERVICES) {
    const t0 = Date.now();
    started.push(await def.start());
    process.stderr.write(`[setup] ${def.name} ready in ${Date.now() - t0} ms\n`);
  }
}
