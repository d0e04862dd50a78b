import { readFileSync } from 'node:fs';

/** CPU and RSS of other processes (the broker) read from /proc; -1 where unreadable (not Linux, gone). */
const CLK_TCK = 100;

export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return -1;
  }
}

/** Samples each pid's CPU at `start` and `stop`; reports CPU% over that span and RSS at the end. */
export class PidMonitor {
  private cpu0: number[] = [];
  private t0 = 0;

  constructor(private readonly pids: number[]) {}

  start(): void {
    this.t0 = Date.now();
    this.cpu0 = this.pids.map(cpuSeconds);
  }

  stop(): Record<string, number> {
    const secs = (Date.now() - this.t0) / 1000;
    const out: Record<string, number> = {};
    this.pids.forEach((pid, i) => {
      const c1 = cpuSeconds(pid);
      const c0 = this.cpu0[i] ?? -1;
      out[`pid${pid}_pct`] = c0 >= 0 && c1 >= 0 && secs > 0 ? Math.round(((c1 - c0) / secs) * 1000) / 10 : -1;
      out[`pid${pid}_rss_mb`] = Math.round(rssKb(pid) / 102.4) / 10;
    });
    return out;
  }
}
