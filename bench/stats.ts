import { readFileSync } from "node:fs";

/** The middle value of `xs` (the upper middle for an even count); `xs` is not modified. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of no values");
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/**
 * Where the CPU went during a phase (Linux /proc only; elsewhere the figures are NaN): the whole
 * machine's busy share (1.0 = every core busy) and each named process's CPU in cores.
 */
export class CpuMeter {
  private readonly t0 = process.hrtime.bigint();
  private readonly machine0 = CpuMeter.machine();
  private readonly procs0: Map<string, number>;

  constructor(private readonly pids: Readonly<Record<string, number>>) {
    this.procs0 = new Map(Object.entries(pids).map(([name, pid]) => [name, CpuMeter.procTicks(pid)]));
  }

  /** busy = share of all cores busy; cores[name] = that process's CPU over the phase, in cores. */
  read(): { busy: number; cores: Record<string, number> } {
    const seconds = Number(process.hrtime.bigint() - this.t0) / 1e9;
    const m = CpuMeter.machine();
    const busy = (m.busy - this.machine0.busy) / (m.total - this.machine0.total);
    const cores: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) cores[name] = (CpuMeter.procTicks(pid) - this.procs0.get(name)!) / CLOCK_TICKS / seconds;
    return { busy, cores };
  }

  private static machine(): { busy: number; total: number } {
    try {
      const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
      const total = f.reduce((a, b) => a + b, 0);
      return { busy: total - f[3] - (f[4] ?? 0), total }; // idle and iowait are not busy
    } catch {
      return { busy: NaN, total: NaN };
    }
  }

  /** utime + stime of a process (all its threads), in clock ticks. */
  private static procTicks(pid: number): number {
    try {
      const s = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      return Number(f[11]) + Number(f[12]);
    } catch {
      return NaN;
    }
  }
}

/** USER_HZ: 100 on every Linux that Node supports. */
const CLOCK_TICKS = 100;
