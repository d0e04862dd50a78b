import type { Command } from '../../shared/amqp/index.js';
import type { Admissions } from '../broker/admissions.js';
import type { Exchange } from '../broker/exchange.js';
import { prefetchPublish, type Prefetch } from './basic-publish.js';
import type { Channel } from './channel.js';

/** Queued commands at which the connection stops reading, until half of them are done. */
const MAX_QUEUED = 1024;
const STORE_UNAVAILABLE = 'deduplication store unavailable';

type Step = { readonly cmd: Command; readonly pre: Prefetch | null } | { readonly run: () => void };

/**
 * Work a channel holds back so that AMQP ordering survives a publish that must wait for Redis (a
 * Redis-backed deduplication exchange on its route). Everything on a channel is ordered: a publish is
 * routed and confirmed before anything sent after it takes effect. So the waiting publish becomes the head
 * here and every later command of the channel is queued behind it instead of running. A queued publish
 * starts its own checks at once (prefetch: pipelined with those ahead) but is validated and applied only
 * in its turn. Should the head ask an exchange after a queued publish did (a second deduplication exchange
 * further down its route), the queued check there is withdrawn and asked again in its turn, so Redis sees
 * the checks of one exchange in channel order.
 *
 * Empty, and never allocated, for channels that do not meet such an exchange. Bounded: past MAX_QUEUED
 * commands the connection stops reading (flow control); in wait mode, while the deduplication store is
 * unavailable, a busy backlog blocks its connection (connection.blocked). A channel that closes with work
 * here withdraws every check, so values recorded for messages that will not be routed are released, and
 * drops the queued commands; nothing is written for it afterwards.
 */
export class ChannelBacklog {
  /** The publish waited for; everything in `steps` comes after it. */
  private head: Admissions | null = null;
  private steps: Step[] = [];
  private readonly supersede = (x: Exchange): void => {
    for (const s of this.steps) if ('cmd' in s) s.pre?.admissions.forget(x);
  };

  constructor(private readonly ch: Channel) {}

  get busy(): boolean {
    return this.head !== null || this.steps.length > 0;
  }

  /** A command that arrived while busy: it runs in its turn. */
  push(cmd: Command): void {
    const pre = cmd.method.name === 'basic.publish' ? prefetchPublish(this.ch, cmd.method, cmd.properties!, cmd.body!) : null;
    this.steps.push({ cmd, pre });
    this.update();
  }

  /** Runs `fn` right after the head, ahead of the queued commands (the rest of a tx.commit). */
  next(fn: () => void): void {
    this.steps.unshift({ run: fn });
  }

  /** The publish whose checks are `a` waits: `route` routes it once answered, `rejected` handles a failure. */
  hold(a: Admissions, route: () => Promise<unknown>, rejected: (failure: unknown) => void): void {
    this.head = a;
    a.beforeAsk = this.supersede;
    this.update();
    route().then(
      () => this.headDone(a, null),
      (failure: unknown) => this.headDone(a, () => rejected(failure)),
    );
  }

  private headDone(a: Admissions, then: (() => void) | null): void {
    if (this.head !== a) return; // abandoned: the channel is gone
    this.head = null;
    if (then) this.guard(then);
    this.pump();
  }

  /** Runs the queued steps in order until one waits for Redis again. */
  private pump(): void {
    while (this.head === null && this.steps.length > 0) {
      const step = this.steps.shift()!;
      if ('run' in step) {
        this.guard(step.run);
        continue;
      }
      const pre = step.pre;
      if (pre) pre.admissions.beforeAsk = this.supersede;
      this.guard(() => this.ch.run(step.cmd, pre));
      // checks the publish did not route with (refused, or held for a transaction) are withdrawn
      if (pre && pre.admissions !== this.head) pre.admissions.abandon();
    }
    this.update();
    if (!this.busy) this.ch.conn.backlogDrained();
  }

  /** Errors close the channel or connection as they would for a command handled on arrival. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.ch.conn.fail(e, this.ch.id);
    }
  }

  /** Pauses the connection's reading while the queue is full, or while it waits for an unavailable store. */
  update(): void {
    const gate = this.ch.conn.gate;
    const n = this.steps.length;
    if (this.busy && this.ch.conn.dedupStoreDown !== null) gate.hold(this, STORE_UNAVAILABLE);
    else if (n >= MAX_QUEUED || (n > MAX_QUEUED / 2 && gate.holds(this))) gate.hold(this, null);
    else gate.release(this);
  }

  /** The channel is closing: withdraw every check and drop what was queued. */
  abandon(): void {
    this.head?.abandon();
    this.head = null;
    for (const s of this.steps) if ('cmd' in s) s.pre?.admissions.abandon();
    this.steps = [];
    this.ch.conn.gate.release(this);
    this.ch.conn.backlogDrained();
  }
}
