import { join } from 'node:path';
import { AmqpError, fieldEquals, ReplyCode, stringOf, type FieldTable, type FieldValue } from '../../shared/amqp/index.js';
import { Admissions, routeSettled, type RemoteAdmission } from './admissions.js';
import { describeMismatch } from './argument-text.js';
import { bindingId, type Binding, type BindingDestination } from './binding.js';
import { defaultExchangeRefused, exclusiveLocked, inequivalent, inUse, notFound, reservedName } from './errors.js';
import { Exchange, type ExchangeOptions } from './exchange.js';
import { HEADERS_MATCH_MODES } from './exchange-types/headers.js';
import { EXCHANGE_TYPES } from './exchange-types/index.js';
import { encodeArgs, type DefinitionRecord, type DefinitionsSink } from '../store/definitions-store.js';
import type { MessageStore } from '../store/message-store.js';
import { deadLetterKeys, deadLettered, isDeathCycle, type DeathReason } from './dead-letter.js';
import type { RedisDedupStore } from './dedup-redis/store.js';
import type { Message } from './message.js';
import { checkQueueLimit } from './limits.js';
import { generatedName, isReserved } from './names.js';
import { makePolicy, matchPolicy, policySettings, type Policy, type PolicyInput, type PolicyKind } from './policies.js';
import { parseQueueArguments, QUEUE_ARGS_COMPARED } from './queue-arguments.js';
import { mergeSettings, type PartialSettings } from './queue-settings.js';
import { ChurnCounters } from './stats.js';
import { Queue, type EnqueueOutcome, type QueueEntry, type QueueHost } from './queue.js';

/** What a vhost is given by the broker. */
export interface VhostServices {
  readonly sink: DefinitionsSink;
  readonly store: MessageStore | null;
  /** Shared with the resource monitor: true while queues should page to disk. */
  readonly memory: { readonly paging: boolean };
  /** The node's data folder, for exchange types that keep files (null: keep nothing). */
  readonly dataDir: string | null;
  /** Where deduplication exchanges keep their caches when the node has a `redis-url` (null: on the node). */
  readonly dedupStore: RedisDedupStore | null;
  readonly churn: ChurnCounters;
}

export interface QueueDeclare {
  readonly name: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
}

export interface ExchangeDeclare extends ExchangeOptions {
  readonly passive: boolean;
}

/** Who RabbitMQ says declared what the broker made itself. */
export const INTERNAL_USER = 'rmq-internal';

const DEFAULT_EXCHANGES: [string, string, boolean][] = [
  ['', 'direct', false],
  ['amq.direct', 'direct', false],
  ['amq.fanout', 'fanout', false],
  ['amq.topic', 'topic', false],
  ['amq.headers', 'headers', false],
  ['amq.match', 'headers', false],
  ['amq.rabbitmq.trace', 'topic', true],
];

const yesNo = (b: boolean): string => `'${b}'`;

/**
 * One virtual host: its exchanges, queues and bindings, and routing. Transport-independent: the AMQP
 * channel, the management API and federation links all come through these methods. Ownership of exclusive
 * queues is an opaque `owner` object (the connection).
 */
export class Vhost implements QueueHost {
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  readonly policies = new Map<string, Policy>();
  readonly operatorPolicies = new Map<string, Policy>();
  /** Runtime parameters by component (federation-upstream, shovel, ...) then name; values are JSON. */
  readonly parameters = new Map<string, Map<string, unknown>>();
  /** Settings each queue's own arguments ask for, kept to re-merge when policies change. */
  private readonly queueArgs = new Map<Queue, PartialSettings>();
  private readonly scratch = new Set<BindingDestination>();
  private readonly visited = new Set<Exchange>();
  /** Answers for remotely admitted exchanges during one route (null: none supplied). */
  private admissions: Admissions | null = null;
  /** The current route reached a remotely admitted exchange with no answer yet. */
  private unanswered = false;

  private readonly sink: DefinitionsSink;
  readonly store: MessageStore | null;

  constructor(
    readonly name: string,
    private readonly services: VhostServices = { sink: { record() {} }, store: null, memory: { paging: false }, dataDir: null, dedupStore: null, churn: new ChurnCounters() },
  ) {
    this.sink = services.sink;
    this.store = services.store;
    for (const [name, type, internal] of DEFAULT_EXCHANGES) {
      this.createExchange({ name, type, durable: true, autoDelete: false, internal, arguments: {}, declaredBy: INTERNAL_USER });
    }
  }

  get paging(): boolean {
    return this.services.memory.paging;
  }

  // ---- exchanges ---------------------------------------------------------------------------------

  exchange(name: string): Exchange {
    const x = this.exchanges.get(name);
    if (!x) throw notFound('exchange', name, this.name);
    return x;
  }

  declareExchange(d: ExchangeDeclare): Exchange {
    const existing = this.exchanges.get(d.name);
    if (d.name === '') throw defaultExchangeRefused();
    if (d.passive) {
      if (!existing) throw notFound('exchange', d.name, this.name);
      return existing;
    }
    // RabbitMQ checks the type before anything else, and the amq. prefix only when creating
    if (!EXCHANGE_TYPES.has(d.type)) throw new AmqpError(ReplyCode.CommandInvalid, `${d.type === '' ? 'invalid' : 'unknown'} exchange type '${d.type}'`);
    if (!existing) {
      if (isReserved(d.name)) throw reservedName('exchange', d.name);
      return this.createExchange(d);
    }
    const o = existing.options;
    const check = (arg: string, received: string, current: string): void => {
      if (received !== current) throw inequivalent('exchange', d.name, this.name, arg, received, current);
    };
    check('type', `'${d.type}'`, `'${o.type}'`);
    check('durable', yesNo(d.durable), yesNo(o.durable));
    check('auto_delete', yesNo(d.autoDelete), yesNo(o.autoDelete));
    check('internal', yesNo(d.internal), yesNo(o.internal));
    this.checkArgs('exchange', d.name, ['alternate-exchange'], d.arguments, o.arguments);
    return existing;
  }

  private createExchange(o: ExchangeOptions): Exchange {
    const dataDir = this.services.dataDir === null ? null : join(this.services.dataDir, 'exchanges', encodeURIComponent(this.name), `${encodeURIComponent(o.name)}.log`);
    const ctx = { vhost: this.name, name: o.name, arguments: o.arguments, dataDir, dedupStore: this.services.dedupStore };
    const x = new Exchange(this.name, o, EXCHANGE_TYPES.get(o.type)!(ctx));
    this.exchanges.set(o.name, x);
    this.applyExchangePolicy(x);
    if (isDurableExchange(x)) this.sink.record(exchangeRecord(this.name, x));
    return x;
  }

  /** alternate-exchange: the argument wins over a policy (RabbitMQ's rule). */
  private applyExchangePolicy(x: Exchange): void {
    const p = matchPolicy(this.policies.values(), 'exchange', x.name);
    x.policy = p?.name ?? null;
    const arg = stringOf(x.options.arguments['alternate-exchange']);
    const fromPolicy = p?.definition['alternate-exchange'];
    x.alternate = arg ?? (typeof fromPolicy === 'string' ? fromPolicy : null);
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === '') throw defaultExchangeRefused();
    if (isReserved(name)) {
      throw new AmqpError(ReplyCode.AccessRefused, `deletion of system exchange '${name}' in vhost '${this.name}' not allowed`);
    }
    const x = this.exchanges.get(name);
    // RabbitMQ answers delete-ok for a missing exchange (idempotent delete).
    if (!x) return;
    if (ifUnused && x.bindings.size > 0) throw inUse('exchange', name, this.name);
    this.removeExchange(x);
  }

  private removeExchange(x: Exchange): void {
    x.deleted = true;
    // a replayed delete must not remove files a later incarnation of the exchange owns
    if (!this.sink.replaying) x.router.destroy?.();
    this.exchanges.delete(x.name);
    if (isDurableExchange(x)) this.sink.record({ op: 'exchange-delete', vhost: this.name, name: x.name });
    for (const b of [...x.bindings.values()]) this.removeBinding(b);
    for (const b of [...x.inbound]) this.removeBinding(b);
  }

  /** The vhost is deleted: its exchanges' types release what they keep outside memory (cache files, Redis keys). */
  destroyExchanges(): void {
    if (this.sink.replaying) return;
    for (const x of this.exchanges.values()) x.router.destroy?.();
  }

  // ---- queues ------------------------------------------------------------------------------------

  /** A queue the caller may use: 404 if missing, 405 if exclusive to another connection. */
  queue(name: string, owner: object | null): Queue {
    const q = this.queues.get(name);
    if (!q) throw notFound('queue', name, this.name);
    if (q.options.owner !== null && q.options.owner !== owner) throw exclusiveLocked(name, this.name);
    return q;
  }

  declareQueue(d: QueueDeclare, owner: object | null): Queue {
    if (d.passive) {
      // a passive declare uses the queue too: it renews an x-expires lease, as RabbitMQ's stat does
      const q = this.queue(d.name, owner);
      q.armUnusedTimer();
      return q;
    }
    this.services.churn.queueDeclared++;
    const name = d.name === '' ? generatedName('amq.gen-') : d.name;
    if (isReserved(name) && d.name !== '') throw reservedName('queue', name);
    const existing = this.queues.get(name);
    if (existing) {
      const o = existing.options;
      if (o.owner !== null && o.owner !== owner) throw exclusiveLocked(name, this.name);
      const check = (arg: string, received: boolean, current: boolean): void => {
        if (received !== current) throw inequivalent('queue', name, this.name, arg, yesNo(received), yesNo(current));
      };
      if (d.exclusive !== o.exclusive) throw exclusiveLocked(name, this.name);
      check('durable', d.durable && !d.exclusive, o.durable);
      check('auto_delete', d.autoDelete, o.autoDelete);
      this.checkArgs('queue', name, QUEUE_ARGS_COMPARED, d.arguments, o.arguments);
      existing.armUnusedTimer();
      return existing;
    }
    // a replayed log is not held to a limit: it holds what was allowed when it was written
    if (!this.sink.replaying) checkQueueLimit(this, name);
    const args = parseQueueArguments(name, this.name, d.arguments);
    const q = new Queue(
      this.name,
      {
        name,
        // an exclusive queue dies with its connection, so it is never durable (as in RabbitMQ)
        durable: d.durable && !d.exclusive,
        exclusive: d.exclusive,
        autoDelete: d.autoDelete,
        arguments: d.arguments,
        owner: d.exclusive ? owner : null,
        maxPriority: args.maxPriority,
        singleActiveConsumer: args.singleActiveConsumer,
        deduplicate: args.deduplicate,
      },
      this,
    );
    this.queues.set(name, q);
    this.services.churn.queueCreated++;
    this.queueArgs.set(q, args.settings);
    this.applyQueuePolicy(q);
    if (isDurableQueue(q)) this.sink.record(queueRecord(this.name, q));
    return q;
  }

  deleteQueue(name: string, ifUnused: boolean, ifEmpty: boolean, owner: object | null): number {
    const q = this.queues.get(name);
    // delete of a missing queue is ok with count 0, as RabbitMQ does
    if (!q) return 0;
    if (q.options.owner !== null && q.options.owner !== owner) throw exclusiveLocked(name, this.name);
    if (ifUnused && q.consumerCount > 0) throw inUse('queue', name, this.name);
    if (ifEmpty && q.messageCount > 0) {
      throw new AmqpError(ReplyCode.PreconditionFailed, `queue '${name}' in vhost '${this.name}' not empty`);
    }
    return this.removeQueue(q);
  }

  /** Deletes a queue unconditionally (auto-delete, exclusive owner gone); returns its ready count. */
  removeQueue(q: Queue): number {
    if (q.deleted) return 0;
    this.queues.delete(q.name);
    this.services.churn.queueDeleted++;
    this.queueArgs.delete(q);
    if (isDurableQueue(q)) this.sink.record({ op: 'queue-delete', vhost: this.name, name: q.name });
    for (const b of [...q.inbound]) this.removeBinding(b);
    return q.destroy();
  }

  // ---- bindings ----------------------------------------------------------------------------------

  bind(source: string, destination: BindingDestination, routingKey: string, args: FieldTable): void {
    if (source === '') throw defaultExchangeRefused();
    const x = this.exchange(source);
    if (x.options.type === 'headers') {
      const mode = args['x-match'];
      if (mode !== undefined && !HEADERS_MATCH_MODES.has(stringOf(mode) ?? '')) {
        throw new AmqpError(
          ReplyCode.PreconditionFailed,
          `Invalid x-match field value <<${JSON.stringify(String(stringOf(mode) ?? mode))}>>; expected all, any, all-with-x, or any-with-x`,
        );
      }
    }
    const id = bindingId(destination, routingKey, args);
    if (x.bindings.has(id)) return;
    const b: Binding = { source: x, destination, routingKey, arguments: args, id };
    x.bindings.set(id, b);
    x.router.add(b);
    destination.inbound.add(b);
    if (isDurableBinding(b)) this.sink.record(bindingRecord('binding', this.name, b));
  }

  unbind(source: string, destination: BindingDestination, routingKey: string, args: FieldTable): void {
    if (source === '') throw defaultExchangeRefused();
    const x = this.exchange(source);
    const b = x.bindings.get(bindingId(destination, routingKey, args));
    if (b) this.removeBinding(b);
  }

  private removeBinding(b: Binding): void {
    const x = b.source;
    if (!x.bindings.delete(b.id)) return;
    x.router.remove(b);
    b.destination.inbound.delete(b);
    if (isDurableBinding(b)) this.sink.record(bindingRecord('binding-delete', this.name, b));
    if (x.options.autoDelete && x.bindings.size === 0 && !x.deleted) this.removeExchange(x);
  }

  // ---- routing -----------------------------------------------------------------------------------

  /**
   * Routes a message from an exchange to queues, following exchange-to-exchange bindings (each exchange
   * visited once, so cycles terminate) and the CC/BCC sender-selected routing keys. Returns the queues, or
   * null when the route reaches a remotely admitted exchange (Redis-backed deduplication) whose answer is
   * not in `admissions`: a check is then started there if admissions were given (see admissions.ts).
   */
  route(x: Exchange, routingKeys: readonly string[], headers: FieldTable | undefined, admissions: Admissions | null = null): Queue[] | null {
    const queues = this.walk(x, routingKeys, headers, admissions);
    if (queues === null) return null;
    x.stats.publishIn++;
    if (queues.length > 0) x.stats.publishOut++;
    return queues;
  }

  /** Starts the remote checks routing this message needs now, without routing it. */
  ask(x: Exchange, routingKeys: readonly string[], headers: FieldTable | undefined, admissions: Admissions): void {
    this.walk(x, routingKeys, headers, admissions);
  }

  private walk(x: Exchange, routingKeys: readonly string[], headers: FieldTable | undefined, admissions: Admissions | null): Queue[] | null {
    const queues: Queue[] = [];
    const visited = this.visited;
    const out = this.scratch;
    this.admissions = admissions;
    admissions?.restart();
    try {
      if (x.name === '') {
        for (const rk of routingKeys) {
          const q = this.queues.get(rk);
          if (q && !queues.includes(q)) queues.push(q);
        }
      } else {
        const pending: Exchange[] = [x];
        visited.add(x);
        this.routeFrom(pending, routingKeys, headers, queues);
        // Unroutable: try the alternate exchange chain (each AE visited once). Not while an answer is
        // missing: it might route the message, and then the AE would not be used.
        for (let ae = this.alternateOf(x); queues.length === 0 && !this.unanswered && ae && !visited.has(ae); ae = this.alternateOf(ae)) {
          visited.add(ae);
          pending.push(ae);
          this.routeFrom(pending, routingKeys, headers, queues);
        }
      }
      return this.unanswered ? null : queues;
    } finally {
      visited.clear();
      out.clear();
      this.admissions = null;
      this.unanswered = false;
    }
  }

  private alternateOf(x: Exchange): Exchange | undefined {
    return x.alternate === null ? undefined : this.exchanges.get(x.alternate);
  }

  private routeFrom(pending: Exchange[], routingKeys: readonly string[], headers: FieldTable | undefined, queues: Queue[]): void {
    const visited = this.visited;
    const out = this.scratch;
    while (pending.length > 0) {
      const ex = pending.pop()!;
      if (ex.router.admit && !ex.router.admit(headers)) continue;
      const remote = ex.router.remote;
      if (remote !== undefined && !this.admitRemote(ex, remote, headers)) continue;
      for (const rk of routingKeys) ex.route(rk, headers, out);
      for (const d of out) {
        if (d.kind === 'queue') {
          if (!queues.includes(d)) queues.push(d);
        } else if (!visited.has(d)) {
          visited.add(d);
          pending.push(d);
        }
      }
      out.clear();
    }
  }

  /** The answer at a remotely admitted exchange; without one the route is incomplete (and the check started). */
  private admitRemote(x: Exchange, remote: RemoteAdmission, headers: FieldTable | undefined): boolean {
    if (!remote.concerns(headers)) return true;
    const answer = this.admissions?.consult(x, remote, headers);
    if (answer === undefined) this.unanswered = true;
    return answer === true;
  }

  /**
   * Delivers a routed message into each queue: refused if any queue refused it (reject-publish), persisted
   * if any wrote it to the store (its confirm then waits for the sync).
   */
  enqueue(queues: readonly Queue[], msg: Message): EnqueueOutcome {
    let outcome: EnqueueOutcome = 'accepted';
    for (const q of queues) {
      const o = q.enqueue(msg);
      if (o === 'refused' || (o === 'persisted' && outcome === 'accepted')) outcome = o;
    }
    return outcome;
  }

  /**
   * Sends messages leaving a queue (rejected, expired, over its length limit) to its dead-letter exchange,
   * routed on the dead-letter routing key or else on all the keys they were published with (CC and BCC
   * too). Without an exchange, or if it does not exist, they are dropped; so are fully automatic cycles.
   */
  deadLetter(q: Queue, entries: readonly QueueEntry[], reason: DeathReason): void {
    const { deadLetterExchange: dlx, deadLetterRoutingKey: dlrk } = q.settings;
    if (dlx === null) return;
    const x = this.exchanges.get(dlx);
    if (!x) return;
    for (const e of entries) {
      const msg = deadLettered(q.messageOf(e), q.name, reason, dlx, dlrk);
      const keys = deadLetterKeys(msg);
      const targets = this.route(x, keys, msg.properties.headers);
      if (targets !== null) this.enqueueDeadLetter(targets, msg);
      else this.deadLetterLater(x, keys, msg);
    }
  }

  private enqueueDeadLetter(targets: readonly Queue[], msg: Message): void {
    this.enqueue(targets.filter((t) => !isDeathCycle(msg, t.name)), msg);
  }

  /**
   * A dead letter whose route needs Redis (a deduplication exchange): routed once it has answered. It
   * waits whatever the node's dedup-redis-unavailable mode, as nobody could be told of a refusal; it is
   * lost only if the node stops first (dead-lettering is at most once, as in RabbitMQ).
   */
  private deadLetterLater(x: Exchange, keys: readonly string[], msg: Message): void {
    void routeSettled(this, x, keys, msg.properties.headers, new Admissions(true), (targets) => this.enqueueDeadLetter(targets, msg)).catch(() => undefined);
  }

  // ---- policies ----------------------------------------------------------------------------------

  /** Adds or replaces a policy (validated: throws PolicyError) and applies it to live queues and exchanges. */
  setPolicy(kind: PolicyKind, p: PolicyInput): Policy {
    const policy = makePolicy(kind, this.name, p);
    (kind === 'policy' ? this.policies : this.operatorPolicies).set(p.name, policy);
    this.sink.record(policyRecord(kind, policy));
    this.reapplyPolicies();
    return policy;
  }

  clearPolicy(kind: PolicyKind, name: string): boolean {
    const removed = (kind === 'policy' ? this.policies : this.operatorPolicies).delete(name);
    if (removed) {
      this.sink.record({ op: 'policy-delete', kind, vhost: this.name, name });
      this.reapplyPolicies();
    }
    return removed;
  }

  setParameter(component: string, name: string, value: unknown): void {
    let m = this.parameters.get(component);
    if (!m) this.parameters.set(component, (m = new Map()));
    m.set(name, value);
    this.sink.record({ op: 'parameter', vhost: this.name, component, name, value });
  }

  clearParameter(component: string, name: string): boolean {
    const removed = this.parameters.get(component)?.delete(name) ?? false;
    if (removed) this.sink.record({ op: 'parameter-delete', vhost: this.name, component, name });
    return removed;
  }

  /** Records for every durable definition in this vhost (compaction). */
  snapshot(): DefinitionRecord[] {
    const out: DefinitionRecord[] = [];
    for (const x of this.exchanges.values()) if (isDurableExchange(x)) out.push(exchangeRecord(this.name, x));
    for (const q of this.queues.values()) if (isDurableQueue(q)) out.push(queueRecord(this.name, q));
    for (const x of this.exchanges.values()) {
      for (const b of x.bindings.values()) if (isDurableBinding(b)) out.push(bindingRecord('binding', this.name, b));
    }
    for (const p of this.policies.values()) out.push(policyRecord('policy', p));
    for (const p of this.operatorPolicies.values()) out.push(policyRecord('operator-policy', p));
    for (const [component, m] of this.parameters) {
      for (const [name, value] of m) out.push({ op: 'parameter', vhost: this.name, component, name, value });
    }
    return out;
  }

  private reapplyPolicies(): void {
    for (const q of this.queues.values()) this.applyQueuePolicy(q);
    for (const x of this.exchanges.values()) this.applyExchangePolicy(x);
  }

  private applyQueuePolicy(q: Queue): void {
    const p = matchPolicy(this.policies.values(), 'queue', q.name);
    const op = matchPolicy(this.operatorPolicies.values(), 'queue', q.name);
    q.policy = p?.name ?? null;
    q.operatorPolicy = op?.name ?? null;
    q.applySettings(mergeSettings(this.queueArgs.get(q) ?? {}, policySettings(p), policySettings(op)));
  }

  private checkArgs(kind: 'queue' | 'exchange', name: string, keys: readonly string[], received: FieldTable, current: FieldTable): void {
    for (const k of keys) {
      const r = withDefault(k, received[k]);
      const c = withDefault(k, current[k]);
      if (r === undefined && c === undefined) continue;
      if (!fieldEquals(r, c)) {
        throw inequivalent(kind, name, this.name, k, ...describeMismatch(r, c));
      }
    }
  }
}

/** An argument's value when left out, where RabbitMQ treats leaving it out as naming it: x-queue-type is classic. */
const withDefault = (arg: string, v: FieldValue | undefined): FieldValue | undefined => (v === undefined && arg === 'x-queue-type' ? 'classic' : v);

const isDurableExchange = (x: Exchange): boolean => x.options.durable && x.name !== '' && !isReserved(x.name);
const isDurableQueue = (q: Queue): boolean => q.options.durable && !q.options.exclusive;
const isDurableBinding = (b: Binding): boolean =>
  b.source.options.durable && (b.destination.kind === 'queue' ? isDurableQueue(b.destination) : b.destination.options.durable);

function exchangeRecord(vhost: string, x: Exchange): DefinitionRecord {
  const o = x.options;
  return { op: 'exchange', vhost, name: o.name, type: o.type, autoDelete: o.autoDelete, internal: o.internal, args: encodeArgs(o.arguments), by: o.declaredBy };
}

function queueRecord(vhost: string, q: Queue): DefinitionRecord {
  return { op: 'queue', vhost, name: q.name, autoDelete: q.options.autoDelete, args: encodeArgs(q.options.arguments) };
}

function bindingRecord(op: 'binding' | 'binding-delete', vhost: string, b: Binding): DefinitionRecord {
  return { op, vhost, source: b.source.name, kind: b.destination.kind, destination: b.destination.name, routingKey: b.routingKey, args: encodeArgs(b.arguments) };
}

function policyRecord(kind: PolicyKind, p: Policy): DefinitionRecord {
  return { op: 'policy', kind, vhost: p.vhost, name: p.name, pattern: p.pattern, applyTo: p.applyTo, priority: p.priority, definition: p.definition };
}
