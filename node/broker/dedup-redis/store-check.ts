import type { RemoteCheck } from '../admissions.js';
import type { DedupKeys } from './keys.js';

/** What a check needs from the store that runs it. */
export interface CheckRunner {
  withdraw(c: StoreCheck): void;
}

/**
 * One "has this exchange seen this value?" question to Redis. The token is unique to this node and check
 * and is what the script stores; every retry of the check sends the same one.
 */
export class StoreCheck implements RemoteCheck {
  answer: boolean | undefined = undefined;
  failure: Error | null = null;
  readonly settled: Promise<void>;
  /** Sent to Redis at least once: the script may have recorded the token, even without a reply. */
  sent = false;
  withdrawn = false;
  /** A release of the token has been sent (or waits to be). */
  released = false;
  private done!: () => void;

  constructor(
    private readonly runner: CheckRunner,
    /** Issue order: retries after an outage go out in this order. */
    readonly seq: number,
    readonly token: string,
    readonly keys: DedupKeys,
    readonly value: string,
    readonly ttlMs: number | null,
    readonly size: number,
    readonly wait: boolean,
  ) {
    this.settled = new Promise((resolve) => (this.done = resolve));
  }

  get seenKey(): string {
    return this.keys.seen + this.value;
  }

  answered(pass: boolean): void {
    this.answer = pass;
    this.done();
  }

  failed(err: Error): void {
    this.failure = err;
    this.done();
  }

  withdraw(): void {
    if (this.withdrawn) return;
    this.withdrawn = true;
    this.runner.withdraw(this);
    // whoever still waits on it sees no answer and asks again, or gives up
    this.done();
  }
}
