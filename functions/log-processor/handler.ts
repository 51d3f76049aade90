/**
 * Placeholder until the log processor lands: parses the self-managed Kafka event and logs how
 * many records arrived. It stores nothing, so it must not be deployed for real use.
 */
export async function handler(event: { eventSource?: string; records?: Record<string, unknown[]> }): Promise<void> {
  const count = Object.values(event.records ?? {}).reduce((n, r) => n + r.length, 0);
  console.log(JSON.stringify({ message: "received", eventSource: event.eventSource, records: count }));
}
