import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';
import { decodeArgs, type DefinitionRecord, type DefinitionsSink } from '../store/definitions-store.js';
import type { MessageStore } from '../store/message-store.js';
import type { RedisDedupStore } from './dedup-redis/store.js';
import { GlobalParameters } from './global-parameters.js';
import { UserLimits } from './limits.js';
import { Permission } from './permissions.js';
import { PolicyError } from './policies.js';
import { ChurnCounters, ClosedCounters } from './stats.js';
import { TopicPermission, TopicPermissions } from './topic-permissions.js';
import { checkPassword, DEFAULT_HASHING, hashPassword, isHashingAlgorithm, type HashingAlgorithm, type User } from './users.js';
import { INTERNAL_USER, Vhost } from './vhost.js';

/** What the management API shows of a vhost beyond its name. */
export interface VhostMetadata {
  readonly description: string;
  readonly tags: string[];
}

export interface BrokerOptions {
  readonly defaultUser: string;
  readonly defaultPass: string;
  readonly defaultVhost: string;
}

/** Forwards definition changes to the store, except while the store's own log is being replayed. */
class Recorder implements DefinitionsSink {
  replaying = false;
  constructor(private readonly target: DefinitionsSink | null) {}
  record(r: DefinitionRecord): void {
    if (!this.replaying) this.target?.record(r);
  }
}

/**
 * The node's broker state: vhosts, users and their permissions. Everything above it (AMQP, management
 * API) authenticates and authorises through here. Durable changes are reported to the definitions sink;
 * `replay` rebuilds state from that log through the same methods.
 */
export class Broker {
  readonly vhosts = new Map<string, Vhost>();
  readonly users = new Map<string, User>();
  /** vhost -> user -> permission */
  readonly permissions = new Map<string, Map<string, Permission>>();
  readonly topicPermissions: TopicPermissions;
  /** Users' connection and channel limits (a vhost's are its vhost-limits parameter, see limits.ts). */
  readonly userLimits: UserLimits;
  /** RabbitMQ's global runtime parameters, the cluster name among them. */
  readonly globalParameters: GlobalParameters;
  /** Vhosts that were given a description or tags. */
  readonly vhostMetadata = new Map<string, VhostMetadata>();
  private readonly recorder: Recorder;
  /** Set by the resource monitor when memory passes the paging threshold. */
  readonly memory = { paging: false };
  readonly churn = new ChurnCounters();
  readonly closed = new ClosedCounters();

  constructor(
    sink: DefinitionsSink | null = null,
    readonly store: MessageStore | null = null,
    private readonly dataDir: string | null = null,
    /** Where deduplication exchanges keep their caches when the node has a `redis-url`. */
    readonly dedupStore: RedisDedupStore | null = null,
  ) {
    this.recorder = new Recorder(sink);
    this.topicPermissions = new TopicPermissions(this.recorder);
    this.userLimits = new UserLimits(this.recorder);
    this.globalParameters = new GlobalParameters(this.recorder);
  }

  /** First start: the default vhost and administrator, with full permissions, as RabbitMQ creates them. */
  createDefaults(o: BrokerOptions): void {
    this.addVhost(o.defaultVhost);
    this.addUser(o.defaultUser, o.defaultPass, ['administrator']);
    this.setPermission(o.defaultVhost, o.defaultUser, new Permission('.*', '.*', '.*'));
  }

  /** Creates the vhost if needed; metadata, when given, replaces what it had. */
  addVhost(name: string, metadata?: VhostMetadata): Vhost {
    let v = this.vhosts.get(name);
    if (!v) {
      v = new Vhost(name, { sink: this.recorder, store: this.store, memory: this.memory, dataDir: this.dataDir, dedupStore: this.dedupStore, churn: this.churn });
      this.vhosts.set(name, v);
      this.permissions.set(name, new Map());
      if (!metadata) this.recorder.record({ op: 'vhost', name });
    }
    if (metadata) {
      this.vhostMetadata.set(name, metadata);
      this.recorder.record({ op: 'vhost', name, metadata });
    }
    return v;
  }

  /** Deletes a vhost and everything in it; the caller closes its connections. */
  deleteVhost(name: string): boolean {
    const v = this.vhosts.get(name);
    if (!v) return false;
    for (const q of [...v.queues.values()]) v.removeQueue(q);
    v.destroyExchanges();
    this.vhosts.delete(name);
    this.permissions.delete(name);
    this.vhostMetadata.delete(name);
    this.topicPermissions.forgetVhost(name);
    this.recorder.record({ op: 'vhost-delete', name });
    return true;
  }

  deleteUser(name: string): boolean {
    if (!this.users.delete(name)) return false;
    for (const perms of this.permissions.values()) perms.delete(name);
    this.topicPermissions.forgetUser(name);
    this.userLimits.forget(name);
    this.recorder.record({ op: 'user-delete', name });
    return true;
  }

  clearPermission(vhost: string, user: string): boolean {
    const removed = this.permissions.get(vhost)?.delete(user) ?? false;
    if (removed) this.recorder.record({ op: 'permission-delete', vhost, user });
    return removed;
  }

  /** Sets a user's password hash (RabbitMQ's format, '' for none) and tags as given (definitions import). */
  importUser(name: string, passwordHash: string, tags: string[], hashing: HashingAlgorithm = DEFAULT_HASHING): User {
    return this.putUser({ name, passwordHash, hashing, tags });
  }

  addUser(name: string, password: string, tags: string[] = []): User {
    return this.putUser({ name, passwordHash: hashPassword(password), hashing: DEFAULT_HASHING, tags });
  }

  private putUser(user: User): User {
    this.users.set(user.name, user);
    this.recorder.record(userRecord(user));
    return user;
  }

  setPermission(vhost: string, user: string, p: Permission): void {
    if (!this.vhosts.has(vhost)) throw new AmqpError(ReplyCode.NotFound, `no vhost '${vhost}'`);
    this.permissions.get(vhost)!.set(user, p);
    this.recorder.record({ op: 'permission', vhost, user, configure: p.configure, write: p.write, read: p.read });
  }

  /** Turns paging on or off; turning it on pages out what normal queues hold in memory now. */
  setPaging(on: boolean): void {
    if (this.memory.paging === on) return;
    this.memory.paging = on;
    if (on) for (const v of this.vhosts.values()) for (const q of v.queues.values()) q.pageOutAll();
  }

  /** The user if the password is right, else null. */
  authenticate(name: string, password: string): User | null {
    const user = this.users.get(name);
    return user && checkPassword(user, password) ? user : null;
  }

  permission(vhost: string, user: string): Permission | undefined {
    return this.permissions.get(vhost)?.get(user);
  }

  /** Rebuilds state from stored records without re-recording them. */
  replay(records: readonly DefinitionRecord[]): void {
    this.recorder.replaying = true;
    try {
      for (const r of records) this.apply(r);
    } finally {
      this.recorder.replaying = false;
    }
  }

  private apply(r: DefinitionRecord): void {
    if (r.op === 'vhost') return void this.addVhost(r.name, r.metadata);
    if (r.op === 'vhost-delete') return void this.deleteVhost(r.name);
    if (r.op === 'user') return void this.putUser({ name: r.name, passwordHash: r.passwordHash, hashing: isHashingAlgorithm(r.hashing) ? r.hashing : DEFAULT_HASHING, tags: r.tags });
    if (r.op === 'user-delete') return void this.deleteUser(r.name);
    if (r.op === 'user-limits') return this.userLimits.set(r.user, r.limits);
    if (r.op === 'permission') return this.setPermission(r.vhost, r.user, new Permission(r.configure, r.write, r.read));
    if (r.op === 'permission-delete') return void this.clearPermission(r.vhost, r.user);
    if (r.op === 'topic-permission') return this.topicPermissions.set(new TopicPermission(r.vhost, r.user, r.exchange, r.write, r.read));
    if (r.op === 'topic-permission-delete') return void this.topicPermissions.clear(r.vhost, r.user);
    if (r.op === 'global-parameter') return this.globalParameters.set(r.name, r.value);
    if (r.op === 'global-parameter-delete') return void this.globalParameters.delete(r.name);
    const v = this.vhosts.get(r.vhost);
    if (!v) return;
    switch (r.op) {
      case 'exchange':
        return void v.declareExchange({ name: r.name, type: r.type, passive: false, durable: true, autoDelete: r.autoDelete, internal: r.internal, arguments: decodeArgs(r.args), declaredBy: r.by ?? INTERNAL_USER });
      case 'exchange-delete':
        return v.deleteExchange(r.name, false);
      case 'queue':
        return void v.declareQueue({ name: r.name, passive: false, durable: true, exclusive: false, autoDelete: r.autoDelete, arguments: decodeArgs(r.args) }, null);
      case 'queue-delete':
        return void v.deleteQueue(r.name, false, false, null);
      case 'binding':
      case 'binding-delete': {
        const dest = r.kind === 'queue' ? v.queues.get(r.destination) : v.exchanges.get(r.destination);
        if (!dest || !v.exchanges.has(r.source)) return;
        if (r.op === 'binding') v.bind(r.source, dest, r.routingKey, decodeArgs(r.args));
        else v.unbind(r.source, dest, r.routingKey, decodeArgs(r.args));
        return;
      }
      case 'policy':
        try {
          v.setPolicy(r.kind, { name: r.name, pattern: r.pattern, applyTo: r.applyTo, priority: r.priority, definition: r.definition });
        } catch (e) {
          // stored before Warren checked what RabbitMQ checks (an operator policy's overflow): left out, not fatal
          if (!(e instanceof PolicyError)) throw e;
        }
        return;
      case 'policy-delete':
        return void v.clearPolicy(r.kind, r.name);
      case 'parameter':
        return v.setParameter(r.component, r.name, r.value);
      case 'parameter-delete':
        return void v.clearParameter(r.component, r.name);
    }
  }

  /** One record per live durable definition: what compaction writes. */
  snapshot(): DefinitionRecord[] {
    const out: DefinitionRecord[] = [];
    for (const name of this.vhosts.keys()) {
      const metadata = this.vhostMetadata.get(name);
      out.push(metadata ? { op: 'vhost', name, metadata } : { op: 'vhost', name });
    }
    for (const u of this.users.values()) out.push(userRecord(u));
    out.push(...this.userLimits.snapshot());
    for (const [vhost, perms] of this.permissions) {
      for (const [user, p] of perms) out.push({ op: 'permission', vhost, user, configure: p.configure, write: p.write, read: p.read });
    }
    out.push(...this.topicPermissions.snapshot());
    out.push(...this.globalParameters.snapshot());
    for (const v of this.vhosts.values()) out.push(...v.snapshot());
    return out;
  }
}

function userRecord(u: User): DefinitionRecord {
  return { op: 'user', name: u.name, passwordHash: u.passwordHash, tags: u.tags, hashing: u.hashing };
}
