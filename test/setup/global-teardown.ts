export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__startedServices ?? [];
  for (const s of [...started].reverse()) {
    await s.stop().catch((e: Error) => process.stderr.write(`[teardown] ${s.name}: ${e.message}\n`));
  }
}
