import type { ChannelConsumer } from '../../amqp/channel-consumer.js';
import type { Queue } from '../../broker/queue.js';
import type { Vhost } from '../../broker/vhost.js';
import { reported } from '../amqp-errors.js';
import { listedVhosts, vhostOf, vhostToWrite, type MgmtContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import { jsonToTable } from '../json-args.js';
import { BINDINGS, BY_VHOST_NAME } from '../list-order.js';
import { upsert, type Request, type Router } from '../router.js';
import { bindingJson, defaultBindingJson, queueDetailJson, queueJson, type QueueView } from '../shapes.js';
import { UserAccess } from '../user-access.js';
import { QUEUE, QUEUES } from '../without-stats.js';
import { integerValue, objectBody, optionalBool, stringValue } from './body.js';
import { messageJson } from './messages.js';
import { requireKeys } from './required-keys.js';

const ACK_MODES = ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'];
/** What a get body must have, in the order RabbitMQ names the missing ones. */
const GET_KEYS = ['ackmode', 'count', 'encoding'];

/** Every consumer on this node's connections, by queue (queues keep theirs private). */
function consumersByQueue(ctx: MgmtContext): Map<Queue, ChannelConsumer[]> {
  const out = new Map<Queue, ChannelConsumer[]>();
  for (const conn of ctx.amqp.connections) {
    for (const ch of conn.channelList) {
      for (const c of ch.consumers.values()) {
        const list = out.get(c.queue);
        if (list) list.push(c);
        else out.set(c.queue, [c]);
      }
    }
  }
  return out;
}

export function queueRoutes(r: Router, ctx: MgmtContext): void {
  const viewer = () => {
    const consumers = consumersByQueue(ctx);
    return (v: Vhost, q: Queue): QueueView => ({ vhost: v, node: ctx.node, rates: ctx.rates, consumers: consumers.get(q) ?? [] });
  };
  const list = (req: Request) => {
    const view = viewer();
    return listedVhosts(ctx, req.user, req.params['vhost']).flatMap((v) => [...v.queues.values()].map((q) => queueJson(q, view(v, q))));
  };
  r.list('/api/queues', 'vhost', BY_VHOST_NAME, list, { paged: true, withoutStats: QUEUES });
  r.list('/api/queues/{vhost}', 'vhost', BY_VHOST_NAME, list, { paged: true, withoutStats: QUEUES });

  const queue = (req: Request) => {
    const v = vhostOf(ctx, req.params['vhost']!);
    const q = v.queues.get(req.params['name']!);
    if (!q) throw notFound();
    return { v, q };
  };
  r.add(
    'GET',
    '/api/queues/{vhost}/{name}',
    'vhost',
    (req) => {
      const { v, q } = queue(req);
      return queueDetailJson(q, viewer()(v, q));
    },
    QUEUE,
  );
  r.put('/api/queues/{vhost}/{name}', 'vhost', async (req) => {
    const access = UserAccess.of(ctx, req.user, vhostToWrite(ctx, req.params['vhost']!));
    const body = objectBody(await req.body());
    const name = req.params['name']!;
    const existed = access.vhost.queues.has(name);
    const declare = {
      name,
      passive: false,
      durable: optionalBool(body, 'durable', true),
      exclusive: false,
      autoDelete: optionalBool(body, 'auto_delete', false),
      arguments: jsonToTable(body['arguments']),
    };
    reported('direct', () => {
      access.require('configure', 'queue', name);
      access.vhost.declareQueue(declare, null);
    });
    return upsert(existed);
  });

  /** A queue to act on as the user, who needs this access to it: 404 before the permission, as RabbitMQ checks. */
  const actOn = (req: Request, needs: 'configure' | 'read') => {
    const access = UserAccess.of(ctx, req.user, vhostOf(ctx, req.params['vhost']!));
    const q = access.vhost.queues.get(req.params['name']!);
    if (!q) throw notFound();
    reported('direct', () => access.require(needs, 'queue', q.name));
    return { v: access.vhost, q };
  };
  r.add('DELETE', '/api/queues/{vhost}/{name}', 'vhost', (req) => {
    const { v, q } = actOn(req, 'configure');
    reported('direct', () => v.deleteQueue(q.name, req.query.get('if-unused') === 'true', req.query.get('if-empty') === 'true', q.options.owner));
    return undefined;
  });
  r.add('DELETE', '/api/queues/{vhost}/{name}/contents', 'vhost', (req) => {
    actOn(req, 'read').q.purge();
    return undefined;
  });
  // RabbitMQ lists the bindings to whatever queue the path names: none in a missing vhost, the implicit
  // default-exchange one alone for a missing queue
  r.list('/api/queues/{vhost}/{name}/bindings', 'vhost', BINDINGS, (req) => {
    const v = ctx.broker.vhosts.get(req.params['vhost']!);
    if (!v) return [];
    const name = req.params['name']!;
    return [defaultBindingJson(v.name, name), ...[...(v.queues.get(name)?.inbound ?? [])].map(bindingJson)];
  });

  /** Fetch messages for inspection: taken unacked, then requeued or settled as `ackmode` says. */
  r.add('POST', '/api/queues/{vhost}/{name}/get', 'vhost', async (req) => {
    const body = objectBody(await req.body());
    // the body's keys before the user's access to the vhost, as RabbitMQ checks them
    requireKeys(body, GET_KEYS);
    const access = UserAccess.onChannel(ctx, req.user, req.params['vhost']!);
    const ackmode = stringValue(body, 'ackmode');
    const count = integerValue(body, 'count');
    const encoding = stringValue(body, 'encoding');
    if (encoding !== 'auto' && encoding !== 'base64') throw badRequest('Unsupported encoding. Please use auto or base64.');
    const truncate = body['truncate'] === undefined ? undefined : integerValue(body, 'truncate');
    if (truncate !== undefined && truncate < 0) throw badRequest('truncate must be a non-negative integer');
    // RabbitMQ takes `count` messages one basic.get at a time, so 0 takes none, whatever the queue and
    // ackmode, and a negative count every one
    if (count === 0) return [];
    if (!ACK_MODES.includes(ackmode)) throw badRequest(`ackmode must be one of ${ACK_MODES.join(', ')}`);
    // basic.get's checks, in its order: the read permission, then the queue
    const q = reported('channel', () => {
      access.require('read', 'queue', req.params['name']!);
      return access.vhost.queue(req.params['name']!, null);
    });
    const taken = [];
    const out = [];
    for (let left = count; left !== 0; left--) {
      const got = q.get(false);
      if (!got) break;
      taken.push(got.entry);
      out.push(messageJson(got.msg, got.entry.deliveryCount > 1, q.messageCount, encoding, truncate));
    }
    if (ackmode.endsWith('requeue_true')) q.requeue(taken);
    else if (ackmode.startsWith('ack')) for (const e of taken) q.settle(e);
    else for (const e of taken) q.reject(e);
    return out;
  });
}
