import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { within } from '../node/broker/helpers.js';

/**
 * This process's environment for a child Warren process or program: without the WARREN_* settings of
 * the shell running the tests and without tap's NODE_OPTIONS loaders; then `env` on top.
 */
export function childEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARREN_') && k !== 'NODE_OPTIONS'));
  return { ...base, ...env };
}

/**
 * A child process the test started: what it printed, bounded waits for lines, and a stop that ends it
 * (and, when it leads its own process group, what it started: `npm start` runs sh, then node).
 */
export class Proc {
  private out = '';
  private err = '';
  private wake: (() => void)[] = [];
  /** The exit code once it has ended (null when a signal ended it). */
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    private readonly leadsGroup = false,
  ) {
    const seen = (): void => {
      for (const w of this.wake.splice(0)) w();
    };
    child.stdout?.on('data', (d) => {
      this.out += d;
      seen();
    });
    child.stderr?.on('data', (d) => (this.err += d));
    this.exited = new Promise((resolve) => {
      child.once('error', () => resolve(null)); // could not start: no 'exit' follows
      child.once('exit', (code) => {
        resolve(code);
        seen();
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  /** Its non-empty stdout lines that match `re`. */
  lines(re = /./): string[] {
    return this.out.split('\n').filter((l) => l !== '' && re.test(l));
  }

  /** Resolves with the matching lines once `n` stdout lines match `re`; rejects if it ends first or after `ms`. */
  async until(re: RegExp, n = 1, ms = 10_000): Promise<string[]> {
    const printed = (async () => {
      while (this.lines(re).length < n) {
        if (!this.running) throw new Error(`it exited (${String(this.child.exitCode ?? this.child.signalCode)})`);
        await new Promise<void>((resolve) => this.wake.push(resolve));
      }
    })();
    await within(printed, `${n} line(s) matching ${re}`, ms).catch((e: Error) => {
      throw new Error(`${this.child.spawnargs.join(' ')}: ${e.message}; stdout ${JSON.stringify(this.out.slice(-2000))}, stderr ${JSON.stringify(this.err.slice(-2000))}`);
    });
    return this.lines(re);
  }

  /**
   * Sends `signal` (to its whole group if it leads one, as Ctrl+C in a terminal does), waits up to `ms`
   * for the exit, then SIGKILLs; a group's stragglers are SIGKILLed once the leader is gone.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 15_000): Promise<number | null> {
    if (this.running) {
      const gone = once(this.child, 'exit');
      this.kill(signal);
      await within(gone, `${this.child.spawnargs[0]} to exit after ${signal}`, ms).catch(() => {
        this.kill('SIGKILL');
        return once(this.child, 'exit');
      });
    }
    if (this.leadsGroup) this.kill('SIGKILL');
    return this.exited;
  }

  private kill(signal: NodeJS.Signals): void {
    const pid = this.child.pid!;
    try {
      process.kill(this.leadsGroup ? -pid : pid, signal);
    } catch {
      // already gone
    }
  }
}
