import { AmqpError, type FieldTable } from '../../shared/amqp/index.js';
import type { Broker } from '../broker/broker.js';
import { limitOf, vhostLimits } from '../broker/limits.js';
import { isReserved } from '../broker/names.js';
import { Permission } from '../broker/permissions.js';
import { TopicPermission } from '../broker/topic-permissions.js';
import type { Vhost } from '../broker/vhost.js';
import { asClassic } from './classic-conversion.js';
import type { MgmtContext } from './context.js';
import { badRequest, HttpError } from './http-error.js';
import { ImportScratch } from './import-scratch.js';
import { jsonToTable } from './json-args.js';
import { parseLimits } from './limits-json.js';
import { parseHashing, parseTags } from './routes/access.js';
import { objectBody, optionalString, regexString } from './routes/body.js';
import { putParameter, putPolicy } from './routes/policies.js';

type Json = Record<string, unknown>;

/** One change of an import, done in a management context: the scratch one first, then the node's. */
type Step = (ctx: MgmtContext) => void;

const list = (o: Json, key: string): Json[] => {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badRequest(`${key} must be a list`);
  return v.map((x) => objectBody(x));
};

const str = (o: Json, key: string, where: string): string => {
  const v = o[key];
  if (typeof v !== 'string') throw badRequest(`${where}: ${key} must be a string`);
  return v;
};

const vhostIn = (ctx: MgmtContext, name: string): Vhost => ctx.broker.vhosts.get(name)!;

/** A failure of a step as the import's 400; `where` is added to a reason that is a message. */
function refusal(e: unknown, where: string): unknown {
  if (e instanceof AmqpError) return badRequest(`${e.replyText}${where}`);
  if (e instanceof HttpError && typeof e.reason === 'string') return new HttpError(e.status, e.error, `${e.reason}${where}`);
  return e;
}

/**
 * Imports a definitions document (RabbitMQ's format) all or nothing: every object is first done on a
 * scratch broker (the same declare, bind and policy code as the node's, so the same checks), and only if
 * all of it passed on the node's broker, so a 400 leaves the node as it was. As RabbitMQ's import does,
 * it skips queues and exchanges named amq.* and bindings whose source or destination is nowhere; unlike
 * it, it makes quorum and stream queues classic ones. Returns what it skipped or changed, a line each.
 * `only` imports a vhost's export into that vhost; `user` is who imports (the exchanges' declarer).
 */
export function importDefinitions(ctx: MgmtContext, user: string, doc: Json, only?: string): string[] {
  const run = new DefinitionsImport(ctx, user, doc, only);
  run.plan();
  run.apply();
  return run.warnings;
}

class DefinitionsImport {
  readonly warnings: string[] = [];
  private readonly steps: Step[] = [];
  private readonly scratch: ImportScratch;
  private readonly fileVhosts = new Set<string>();
  private readonly fileUsers = new Set<string>();
  /** Queues the import adds to a vhost the node has, for the vhost's queue limit. */
  private readonly newQueues = new Map<string, Set<string>>();

  constructor(
    private readonly ctx: MgmtContext,
    private readonly user: string,
    private readonly doc: Json,
    private readonly only: string | undefined,
  ) {
    this.scratch = new ImportScratch(ctx);
  }

  /**
   * Checks every object by doing it on the scratch broker, in the order the node will; throws the first
   * 400. Queues come before parameters, so that a queue limit the file sets holds only after the import.
   */
  plan(): void {
    try {
      if (this.only === undefined) {
        this.users();
        this.vhosts();
        this.permissions();
        this.topicPermissions();
        this.globalParameters();
      }
      this.exchanges();
      this.queues();
      this.checkQueueLimits();
      this.bindings();
      this.policies();
      this.parameters();
    } finally {
      this.scratch.dispose();
    }
  }

  apply(): void {
    for (const step of this.steps) step(this.ctx);
  }

  /** Does `step` on the scratch broker (or `check`, when the node's step cannot run there), then keeps it. */
  private add(step: Step, where = '', check: Step = step): void {
    withWhere(where, () => check(this.scratch.ctx));
    this.steps.push(step);
  }

  private warn(line: string): void {
    this.warnings.push(line);
  }

  /** The vhost an object is in: `only`, or its own, which the node or the file must have (RabbitMQ's 400 otherwise). */
  private vhostOf(o: Json, where: string): string {
    const name = this.only ?? str(o, 'vhost', where);
    if (!this.knownVhost(name)) throw badRequest(['no_such_vhost', name]);
    this.scratch.vhost(name);
    return name;
  }

  private knownVhost(name: string): boolean {
    return this.ctx.broker.vhosts.has(name) || this.fileVhosts.has(name);
  }

  private userOf(o: Json, where: string): string {
    const name = str(o, 'user', where);
    if (!this.ctx.broker.users.has(name) && !this.fileUsers.has(name)) throw badRequest(['no_such_user', name]);
    return name;
  }

  private users(): void {
    // exports before 3.6.1 name no algorithm, and RabbitMQ before 3.6 hashed with MD5
    const version = this.doc['rabbit_version'];
    const legacy = typeof version === 'string' && /^3\.[0-5]\./.test(version) ? 'rabbit_password_hashing_md5' : undefined;
    for (const u of list(this.doc, 'users')) {
      const name = str(u, 'name', 'user');
      const tags = parseTags(u['tags']);
      const limits = u['limits'] === undefined ? undefined : withWhere(` (user '${name}')`, () => parseLimits('user', u['limits']));
      const password = u['password'];
      let put: (b: Broker) => void;
      if (typeof password === 'string') put = (b) => b.addUser(name, password, tags);
      else {
        const hash = str(u, 'password_hash', `user '${name}'`);
        const hashing = parseHashing(u['hashing_algorithm'], legacy);
        put = (b) => b.importUser(name, hash, tags, hashing);
      }
      this.fileUsers.add(name);
      this.add((c) => {
        put(c.broker);
        if (limits) c.broker.userLimits.set(name, limits);
      });
    }
  }

  private vhosts(): void {
    for (const v of list(this.doc, 'vhosts')) {
      const name = str(v, 'name', 'vhost');
      const metadata = v['metadata'] === undefined ? undefined : objectBody(v['metadata']);
      const meta = metadata && { description: optionalString(metadata, 'description', ''), tags: parseTags(metadata['tags']) };
      this.fileVhosts.add(name);
      this.add((c) => void c.broker.addVhost(name, meta));
    }
  }

  /** A permission's pattern, which must be a regular expression. */
  private pattern(o: Json, key: string, where: string): string {
    return withWhere(` (${where})`, () => regexString(o, key));
  }

  private permissions(): void {
    for (const p of list(this.doc, 'permissions')) {
      const where = `permission for '${String(p['user'])}' in vhost '${String(p['vhost'])}'`;
      const user = this.userOf(p, where);
      const vhost = this.vhostOf(p, where);
      const permission = new Permission(this.pattern(p, 'configure', where), this.pattern(p, 'write', where), this.pattern(p, 'read', where));
      this.add((c) => c.broker.setPermission(vhost, user, permission));
    }
  }

  private topicPermissions(): void {
    for (const p of list(this.doc, 'topic_permissions')) {
      const where = `topic permission for '${String(p['user'])}' in vhost '${String(p['vhost'])}'`;
      const user = this.userOf(p, where);
      const vhost = this.vhostOf(p, where);
      const permission = new TopicPermission(vhost, user, str(p, 'exchange', where), this.pattern(p, 'write', where), this.pattern(p, 'read', where));
      this.add((c) => c.broker.topicPermissions.set(permission));
    }
  }

  /** Cluster-wide parameters (cluster_name, ...): any value goes, so nothing to try; RabbitMQ's internal_* ones have no use here. */
  private globalParameters(): void {
    for (const p of list(this.doc, 'global_parameters')) {
      const name = str(p, 'name', 'global parameter');
      if (!name.startsWith('internal')) this.steps.push((c) => c.broker.globalParameters.set(name, p['value']));
    }
  }

  private exchanges(): void {
    for (const x of list(this.doc, 'exchanges')) {
      const name = str(x, 'name', 'exchange');
      const vhost = this.vhostOf(x, `exchange '${name}'`);
      if (name === '' || isReserved(name)) {
        this.warn(`Skipping import of an exchange whose name ${name === '' ? 'is empty (the default exchange)' : "begins with 'amq.'"}, name: ${name}, vhost: ${vhost}`);
        continue;
      }
      const declare = {
        name,
        type: str(x, 'type', `exchange '${name}'`),
        passive: false,
        durable: x['durable'] !== false,
        autoDelete: x['auto_delete'] === true,
        internal: x['internal'] === true,
        arguments: jsonToTable(x['arguments'], `exchange '${name}' arguments`),
        declaredBy: this.user,
      };
      this.scratch.exchange(vhost, name);
      this.add((c) => void vhostIn(c, vhost).declareExchange(declare));
    }
  }

  private queues(): void {
    for (const q of list(this.doc, 'queues')) {
      const name = str(q, 'name', 'queue');
      const vhost = this.vhostOf(q, `queue '${name}'`);
      if (isReserved(name)) {
        this.warn(`Skipping import of a queue whose name begins with 'amq.', name: ${name}, vhost: ${vhost}`);
        continue;
      }
      const args = this.classic(name, vhost, jsonToTable(q['arguments'], `queue '${name}' arguments`));
      const declare = { name, passive: false, durable: q['durable'] !== false, exclusive: false, autoDelete: q['auto_delete'] === true, arguments: args };
      this.scratch.queue(vhost, name);
      this.add((c) => void vhostIn(c, vhost).declareQueue(declare, null));
      if (this.ctx.broker.vhosts.get(vhost)?.queues.has(name) === false) this.newQueuesIn(vhost).add(name);
    }
  }

  /** A quorum or stream queue's arguments as a classic queue's, saying so; others as they are. */
  private classic(name: string, vhost: string, args: FieldTable): FieldTable {
    const c = asClassic(args);
    if (!c) return args;
    this.warn(
      `Importing ${c.type} queue '${name}' in vhost '${vhost}' as a classic queue (Warren has only classic queues), dropping ${c.dropped.join(', ')}; ` +
        `clients must declare it without x-queue-type: declaring a ${c.type} queue is refused (406)`,
    );
    return c.arguments;
  }

  private newQueuesIn(vhost: string): Set<string> {
    let names = this.newQueues.get(vhost);
    if (!names) this.newQueues.set(vhost, (names = new Set()));
    return names;
  }

  /**
   * RabbitMQ's check before an import: the queues it adds must fit the vhost's queue limit as it is now
   * (one the file sets applies after the import, to later declarations).
   */
  private checkQueueLimits(): void {
    for (const [name, added] of this.newQueues) {
      const v = this.ctx.broker.vhosts.get(name)!;
      const max = limitOf(vhostLimits(v), 'max-queues');
      if (max !== null && v.queues.size + added.size > max) {
        throw badRequest(
          `Adding ${added.size} queue(s) to virtual host "${name}" would exceed the limit of ${max} queue(s).\n\nThis virtual host currently has ${v.queues.size} queue(s) defined.\n\nImport aborted!`,
        );
      }
    }
  }

  /** Bindings whose vhost, source or destination is nowhere are skipped, as RabbitMQ's import skips them. */
  private bindings(): void {
    for (const bd of list(this.doc, 'bindings')) {
      const source = str(bd, 'source', 'binding');
      const where = `binding from '${source}'`;
      const destination = str(bd, 'destination', where);
      const kind = bd['destination_type'];
      if (kind !== 'queue' && kind !== 'exchange') throw badRequest(`${where}: destination_type must be 'queue' or 'exchange'`);
      const vhost = this.only ?? str(bd, 'vhost', where);
      const what = `${source} -> ${kind} ${destination}, vhost: ${vhost}`;
      if (!this.knownVhost(vhost)) {
        this.warn(`Skipping import of a binding whose vhost does not exist: ${what}`);
        continue;
      }
      const missing = !this.scratch.has(vhost, 'exchange', source) ? 'source' : !this.scratch.has(vhost, kind, destination) ? 'destination' : null;
      if (missing) {
        this.warn(`Skipping import of a binding whose ${missing} does not exist: ${what}`);
        continue;
      }
      const routingKey = typeof bd['routing_key'] === 'string' ? bd['routing_key'] : '';
      const args = jsonToTable(bd['arguments'], `${where} arguments`);
      this.add(
        (c) => {
          const v = vhostIn(c, vhost);
          v.bind(source, (kind === 'queue' ? v.queues.get(destination) : v.exchanges.get(destination))!, routingKey, args);
        },
        '',
        () => this.scratch.bind(vhost, source, routingKey, args),
      );
    }
  }

  private policies(): void {
    for (const p of list(this.doc, 'policies')) {
      const name = str(p, 'name', 'policy');
      const vhost = this.vhostOf(p, `policy '${name}'`);
      this.add((c) => putPolicy(c, 'policy', vhost, name, p), ` (${vhost}/${name})`);
    }
  }

  /** Runtime parameters: operator policies and vhost limits among them, as RabbitMQ exports them. */
  private parameters(): void {
    for (const p of list(this.doc, 'parameters')) {
      const name = str(p, 'name', 'parameter');
      const component = str(p, 'component', `parameter '${name}'`);
      const vhost = this.vhostOf(p, `parameter '${name}'`);
      this.add((c) => putParameter(c, vhostIn(c, vhost), component, name, p['value']), ` (${vhost}/${component}/${name})`);
    }
  }
}

/** Runs `fn`, adding `where` to the reason of the 400 it throws. */
function withWhere<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw refusal(e, where);
  }
}
