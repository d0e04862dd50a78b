// Keeps a claim alive while its handler runs: renews every intervalMs. The claim counts as lost (the
// signal aborts with ClaimLostError) when Redis says it is no longer ours, or when renewals keep
// failing until the lease we last secured has run out by our own clock: after that another consumer
// may hold it. The deadline is measured from before each request was sent, so it errs early.
import { isUnavailable } from '../redis/index.js';
import type { Claim, ClaimStore } from './claim-store.js';
import { ClaimLostError } from './errors.js';

export class LeaseKeeper {
  private readonly controller = new AbortController();
  private deadline: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: ClaimStore,
    private readonly claim: Claim,
    private readonly leaseMs: number,
    private readonly intervalMs: number,
    claimedAt: number,
    private readonly onError: (err: Error) => void,
  ) {
    this.deadline = claimedAt + leaseMs;
    this.schedule();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The error the signal aborted with, if the claim was lost. */
  get lost(): ClaimLostError | undefined {
    return this.signal.aborted ? (this.signal.reason as ClaimLostError) : undefined;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.signal.aborted) return;
    // Renew sooner when the last renewal failed and the deadline is near.
    const wait = Math.max(10, Math.min(this.intervalMs, this.deadline - Date.now() - 1));
    this.timer = setTimeout(() => void this.tick(), wait);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const sentAt = Date.now();
    try {
      const ours = await this.store.renew(this.claim, this.leaseMs);
      if (this.stopped) return;
      if (ours) this.deadline = sentAt + this.leaseMs;
      else this.lose('it expired or was taken over by another consumer');
    } catch (err) {
      if (this.stopped) return;
      this.onError(err as Error);
      if (!isUnavailable(err)) this.lose(`renewal failed: ${(err as Error).message}`);
      else if (Date.now() >= this.deadline) this.lose('Redis unreachable until the lease ran out');
    }
    this.schedule();
  }

  private lose(detail: string): void {
    if (this.signal.aborted) return;
    this.stop();
    this.controller.abort(new ClaimLostError(this.claim.id, detail));
  }
}
