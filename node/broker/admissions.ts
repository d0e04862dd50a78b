// Routing that needs answers from a remote store (a Redis-backed deduplication exchange asks Redis whether
// it has seen the message's value). Vhost.route stays synchronous: at such an exchange it takes the answer
// from an Admissions if one is there, and otherwise starts a check and reports the route incomplete
// (null). The caller waits for the answers and routes again; the route that completes is the one that
// counts, and whatever was asked but not passed through in it is withdrawn, so a value stays recorded only
// at exchanges the message really went through.
import type { FieldTable } from '../../shared/amqp/index.js';
import type { Exchange } from './exchange.js';
import type { Queue } from './queue.js';
import type { Vhost } from './vhost.js';

/** One question a remote store is asked about one message at one exchange. */
export interface RemoteCheck {
  /** true: the message passes; false: it is dropped (a duplicate); undefined until answered. */
  readonly answer: boolean | undefined;
  /** Why there will be no answer (the store unavailable while refusing to wait, a script error). */
  readonly failure: Error | null;
  /** Settles, never rejecting, once answered, failed or withdrawn. */
  readonly settled: Promise<void>;
  /** The message will not pass here after all: undo whatever the check recorded. */
  withdraw(): void;
}

/** An exchange type whose admission of a message is decided by a remote store. */
export interface RemoteAdmission {
  /** Whether this message needs asking at all (no x-deduplication-header: it passes). */
  concerns(headers: FieldTable | undefined): headers is FieldTable;
  /** Starts the check; `wait`: keep retrying while the store is unavailable rather than failing. */
  ask(headers: FieldTable, wait: boolean): RemoteCheck;
}

/** The remote answers the routing of one message needs, by exchange. */
export class Admissions {
  private readonly checks = new Map<Exchange, RemoteCheck>();
  /** Exchanges the current routing walk passed through on a yes. */
  private readonly passed = new Set<Exchange>();
  private closed = false;
  /** Told before a new check starts (a channel keeps later publishes' checks of that exchange behind it). */
  beforeAsk: ((x: Exchange) => void) | null = null;

  constructor(readonly wait: boolean) {}

  /** Routing reached `x`: its answer, or undefined after starting a check there. */
  consult(x: Exchange, remote: RemoteAdmission, headers: FieldTable): boolean | undefined {
    let c = this.checks.get(x);
    if (c === undefined) {
      this.beforeAsk?.(x);
      c = remote.ask(headers, this.wait);
      this.checks.set(x, c);
    }
    if (c.answer === true) this.passed.add(x);
    return c.answer;
  }

  /** A routing walk starts over: only what it passes through counts. */
  restart(): void {
    this.passed.clear();
  }

  /** Resolves once every check asked so far has settled. */
  settled(): Promise<unknown> {
    return Promise.all(Array.from(this.checks.values(), (c) => c.settled));
  }

  get failure(): Error | null {
    for (const c of this.checks.values()) if (c.failure) return c.failure;
    return null;
  }

  /** Finished or abandoned: nothing is asked or withdrawn any more. */
  get done(): boolean {
    return this.closed;
  }

  /** The last walk completed: withdraw what it did not pass through. Later calls change nothing. */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [x, c] of this.checks) if (!this.passed.has(x)) c.withdraw();
  }

  /** The message will not be routed: withdraw everything. */
  abandon(): void {
    if (this.closed) return;
    this.passed.clear();
    this.finish();
  }

  /** Withdraws the check at `x`; routing reaching `x` asks again. */
  forget(x: Exchange): void {
    const c = this.checks.get(x);
    if (c === undefined || this.closed) return;
    this.checks.delete(x);
    c.withdraw();
  }
}

/**
 * Routes a message whose route needs remote answers: asks, waits, routes again with them, and hands the
 * queues to `apply` in the same turn as that final route, so nothing can change in between. Resolves with
 * what `apply` returns, or undefined if the admissions were abandoned meanwhile; rejects with the first
 * check's failure, after withdrawing everything.
 */
export async function routeSettled<T>(
  vhost: Vhost,
  x: Exchange,
  routingKeys: readonly string[],
  headers: FieldTable | undefined,
  a: Admissions,
  apply: (queues: Queue[]) => T,
): Promise<T | undefined> {
  for (;;) {
    if (a.done) return undefined;
    const failure = a.failure;
    if (failure) {
      a.abandon();
      throw failure;
    }
    const queues = vhost.route(x, routingKeys, headers, a);
    if (queues !== null) {
      a.finish();
      return apply(queues);
    }
    await a.settled();
  }
}
