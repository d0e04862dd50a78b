import type { AmqpConnection } from '../../amqp/connection.js';
import type { ChannelConsumer } from '../../amqp/channel-consumer.js';
import type { User } from '../../broker/users.js';
import { hasTag } from '../auth.js';
import { vhostOf, type MgmtContext } from '../context.js';
import { notFound, unauthorized } from '../http-error.js';
import { BY_VHOST_NAME } from '../list-order.js';
import type { Request, Router } from '../router.js';
import { channelDetailJson, channelJson, channelName, connectionJson, consumerJson } from '../shapes.js';
import { CONNECTION, CONNECTIONS, REFUSED } from '../without-stats.js';

/** A connection (or its channel) of another user's, for one without the tag to see or close it: RabbitMQ's 401. */
function owned(user: User, c: AmqpConnection, tag: 'monitoring' | 'administrator'): AmqpConnection {
  if (c.user?.name !== user.name && !hasTag(user, tag)) throw unauthorized('User not authorised to access object');
  return c;
}

/**
 * Connections, channels and consumers, as RabbitMQ shows them: monitoring users and administrators see
 * everyone's, other users only their own (whatever their vhost permissions); naming another user's
 * is refused, and closing one takes an administrator.
 */
export function connectionRoutes(r: Router, ctx: MgmtContext): void {
  const open = (): AmqpConnection[] => [...ctx.amqp.connections].filter((c) => c.vhost !== null);
  /** The connections a list shows; of the path's vhost only, if it names one (404 if missing). */
  const listed = (req: Request): AmqpConnection[] => {
    const vhost = req.params['vhost'];
    if (vhost !== undefined) vhostOf(ctx, vhost);
    const all = hasTag(req.user, 'monitoring');
    return open().filter((c) => (vhost === undefined || c.vhost!.name === vhost) && (all || c.user?.name === req.user.name));
  };
  const byName = (req: Request, tag: 'monitoring' | 'administrator' = 'monitoring'): AmqpConnection => {
    const c = open().find((c) => c.name === req.params['name']);
    if (!c) throw notFound();
    return owned(req.user, c, tag);
  };
  const connections = (req: Request) => listed(req).map((c) => connectionJson(c, ctx.node, ctx.rates));
  r.list('/api/connections', 'management', BY_VHOST_NAME, connections, { paged: true, withoutStats: CONNECTIONS });
  r.list('/api/vhosts/{vhost}/connections', 'vhost', BY_VHOST_NAME, connections);
  r.add('GET', '/api/connections/{name}', 'management', (req) => connectionJson(byName(req), ctx.node, ctx.rates), CONNECTION);
  r.add('DELETE', '/api/connections/{name}', 'management', (req) => {
    const reason = req.raw.headers['x-reason'];
    byName(req, 'administrator').forceClose(typeof reason === 'string' ? reason : 'Closed via management plugin');
    return undefined;
  });
  r.list('/api/connections/{name}/channels', 'management', BY_VHOST_NAME, (req) => [...byName(req).channelList].map((ch) => channelJson(ch, ctx.node, ctx.rates)));

  const channels = (req: Request) => listed(req).flatMap((c) => [...c.channelList]);
  const channelList = (req: Request) => channels(req).map((ch) => channelJson(ch, ctx.node, ctx.rates));
  r.list('/api/channels', 'management', BY_VHOST_NAME, channelList, { paged: true, withoutStats: REFUSED });
  r.list('/api/vhosts/{vhost}/channels', 'vhost', BY_VHOST_NAME, channelList, { withoutStats: REFUSED });
  r.add(
    'GET',
    '/api/channels/{name}',
    'management',
    (req) => {
      const ch = open()
        .flatMap((c) => [...c.channelList])
        .find((ch) => channelName(ch) === req.params['name']);
      if (!ch) throw notFound();
      owned(req.user, ch.conn, 'monitoring');
      return channelDetailJson(ch, ctx.node, ctx.rates);
    },
    REFUSED,
  );

  const consumers = (req: Request) => channels(req).flatMap((ch) => [...ch.consumers.values()] as ChannelConsumer[]).map((c) => consumerJson(c, ctx.node));
  r.add('GET', '/api/consumers', 'management', consumers, REFUSED);
  r.add('GET', '/api/consumers/{vhost}', 'management', consumers, REFUSED);
}
