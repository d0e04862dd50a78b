// What to do with a delivery once the library has decided: the one vocabulary every adapter maps to its
// client's ack/nack calls (or, for rabbitmq-client, to a handler return status).

export type AckReason =
  /** The handler ran and "done" was recorded. */
  | 'processed'
  /** Already processed (within the retention): the handler did not run. */
  | 'duplicate';

export type NackReason =
  /** Claimed by another live consumer: requeued after a delay, seen again once it is done or dead. */
  | 'busy'
  /** Redis could not be asked (or could not record "done"): requeued, never processed without deduplication. */
  | 'unavailable'
  /** The handler threw: claim released, requeued or rejected per requeueOnFailure. */
  | 'handler-failed'
  /** The claim expired or was taken over while the handler ran: requeued, the new owner decides. */
  | 'claim-lost'
  /** No id to deduplicate on: rejected (dead-lettered if the queue has a DLX). */
  | 'missing-id'
  /** The consumer is closing: handed back to the broker untouched. */
  | 'closing';

export type Settlement =
  | { readonly action: 'ack'; readonly reason: AckReason; readonly fence?: number }
  | { readonly action: 'nack'; readonly requeue: boolean; readonly reason: NackReason; readonly delayMs: number; readonly error?: Error };
