// The seam between the consumer logic and where claims live: one Redis (single-store.ts) or a Redlock
// quorum of independent servers (redlock-store.ts). Every method throws RedisUnavailableError when it
// cannot get an answer; it never guesses.

/** A claim we hold on a message id. */
export interface Claim {
  readonly id: string;
  readonly key: string;
  /** Unique per claim; the value stored under the key while claimed. */
  readonly token: string;
  /** Fencing token: larger than every token handed out before this claim. */
  readonly fence: number;
}

export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly claim: Claim }
  /** Processed already (within the retention). */
  | { readonly kind: 'done' }
  /** Claimed by another live consumer; ttlMs is what is left of its lease (negative when unknown). */
  | { readonly kind: 'busy'; readonly ttlMs: number };

export interface ClaimStore {
  claim(id: string, leaseMs: number): Promise<ClaimOutcome>;
  /** Extends the lease; false when the claim is no longer ours. */
  renew(claim: Claim, leaseMs: number): Promise<boolean>;
  /** Replaces our claim by "done" kept for retentionMs; false when the claim is no longer ours. */
  markDone(claim: Claim, retentionMs: number): Promise<boolean>;
  /** Deletes our claim so the message can be processed again at once; false when it was not ours. */
  release(claim: Claim): Promise<boolean>;
  /** Resolves when the store can answer, or throws RedisUnavailableError after timeoutMs. */
  ready(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}
