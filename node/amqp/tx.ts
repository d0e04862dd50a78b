import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';
import type { Exchange } from '../broker/exchange.js';
import type { Message } from '../broker/message.js';
import { settle, type Settlement } from './basic-ack.js';
import { routeMessage } from './basic-publish.js';
import type { Channel } from './channel.js';
import type { Unacked } from './unacked.js';

type Op =
  | { readonly kind: 'publish'; readonly exchange: Exchange; readonly msg: Message; readonly mandatory: boolean }
  | { readonly kind: 'settle'; readonly tag: number; readonly multiple: boolean; readonly how: Settlement };

/**
 * A channel transaction (tx.select): publishes and settlements are checked when they arrive and applied in
 * order at commit; rollback drops them. Deliveries named by a pending settlement stay unacked until then.
 */
export class Transaction {
  private ops: Op[] = [];
  /** Tags already named by a pending settlement, so a repeated ack is refused like a second real one. */
  private readonly named = new Set<number>();

  publish(exchange: Exchange, msg: Message, mandatory: boolean): void {
    this.ops.push({ kind: 'publish', exchange, msg, mandatory });
  }

  settle(ch: Channel, tag: number, multiple: boolean, how: Settlement): void {
    if (!multiple) {
      if (!ch.unacked.has(tag) || this.named.has(tag)) throw new AmqpError(ReplyCode.PreconditionFailed, `unknown delivery tag ${tag}`);
      this.named.add(tag);
    } else if (tag !== 0 && !ch.unacked.has(tag)) {
      throw new AmqpError(ReplyCode.PreconditionFailed, `unknown delivery tag ${tag}`);
    }
    this.ops.push({ kind: 'settle', tag, multiple, how });
  }

  /** Publishes waiting for commit (the management API's messages_uncommitted). */
  get publishes(): number {
    return this.ops.reduce((n, op) => n + (op.kind === 'publish' ? 1 : 0), 0);
  }

  /**
   * Deliveries the pending acks, nacks and rejects name, each once (acks_uncommitted: RabbitMQ counts a
   * `multiple` one as every delivery it takes): all up to the highest `multiple` tag, single ones above it.
   */
  settlements(unacked: Unacked): number {
    let upTo = 0;
    for (const op of this.ops) if (op.kind === 'settle' && op.multiple) upTo = Math.max(upTo, op.tag === 0 ? Infinity : op.tag);
    let n = unacked.countUpTo(upTo);
    for (const tag of this.named) if (tag > upTo) n++;
    return n;
  }

  /** Applies the pending operations in order, then calls `done`. */
  commit(ch: Channel, done: () => void): void {
    const ops = this.ops;
    this.ops = [];
    this.named.clear();
    apply(ch, ops, 0, done);
  }

  rollback(): void {
    this.ops = [];
    this.named.clear();
  }
}

/** Applies ops from `from` on; a publish that waits for Redis resumes the rest (and `done`) once routed. */
function apply(ch: Channel, ops: readonly Op[], from: number, done: () => void): void {
  for (let i = from; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.kind === 'publish') {
      if (!op.exchange.deleted && !routeMessage(ch, op.exchange, op.msg, op.mandatory)) return ch.deferred().next(() => apply(ch, ops, i + 1, done));
    } else {
      const ds = op.multiple ? ch.unacked.take(op.tag, true) : ch.unacked.has(op.tag) ? ch.unacked.take(op.tag, false) : [];
      settle(ch, ds, op.how);
    }
  }
  done();
}

export function txSelect(ch: Channel): void {
  if (ch.confirms) throw new AmqpError(ReplyCode.PreconditionFailed, 'cannot switch from confirm to tx mode');
  ch.tx ??= new Transaction();
  ch.send({ name: 'tx.select-ok' });
}

export function txCommit(ch: Channel): void {
  if (!ch.tx) throw new AmqpError(ReplyCode.PreconditionFailed, 'channel is not transactional');
  ch.tx.commit(ch, () => ch.send({ name: 'tx.commit-ok' }));
}

export function txRollback(ch: Channel): void {
  if (!ch.tx) throw new AmqpError(ReplyCode.PreconditionFailed, 'channel is not transactional');
  ch.tx.rollback();
  ch.send({ name: 'tx.rollback-ok' });
}
