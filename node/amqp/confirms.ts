import type { Method } from '../../shared/amqp/index.js';

/**
 * Publisher confirms for one channel. Each publish gets the next sequence number; it is settled (acked or
 * nacked) when the broker is done with it, possibly out of order once persistence is involved. Confirms are
 * sent in sequence order when the connection flushes: a run of acks becomes one `multiple` ack, a nack is
 * sent on its own, so every publish is confirmed exactly once, in order.
 */
export class Confirms {
  private nextSeq = 1;
  /** Every seq <= contiguous is settled ok and ready to ack. */
  private contiguous = 0;
  /** Every seq <= sent has been confirmed on the wire. */
  private sent = 0;
  /** Settlements that arrived out of order or were nacks, waiting for their turn. */
  private readonly later = new Map<number, boolean>();

  next(): number {
    return this.nextSeq++;
  }

  settle(seq: number, ok: boolean): void {
    if (ok && seq === this.contiguous + 1 && this.later.size === 0) this.contiguous = seq;
    else this.later.set(seq, ok);
  }

  /** Publishes numbered but not yet confirmed to the client (the management API's messages_unconfirmed). */
  get unconfirmed(): number {
    return this.nextSeq - 1 - this.sent;
  }

  get pending(): boolean {
    return this.contiguous > this.sent || this.later.size > 0;
  }

  /** Emits basic.ack / basic.nack methods for everything that can be confirmed now. */
  drain(send: (m: Method) => void): void {
    for (let ok = this.later.get(this.contiguous + 1); ok !== undefined; ok = this.later.get(this.contiguous + 1)) {
      this.later.delete(this.contiguous + 1);
      if (ok) {
        this.contiguous++;
        continue;
      }
      this.sendAcks(send);
      this.contiguous++;
      this.sent = this.contiguous;
      send({ name: 'basic.nack', deliveryTag: this.contiguous, multiple: false, requeue: false });
    }
    this.sendAcks(send);
  }

  private sendAcks(send: (m: Method) => void): void {
    if (this.contiguous <= this.sent) return;
    send({ name: 'basic.ack', deliveryTag: this.contiguous, multiple: this.contiguous - this.sent > 1 });
    this.sent = this.contiguous;
  }
}
