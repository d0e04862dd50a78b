import type { AmqpConnection } from '../../amqp/connection.js';
import type { ChannelConsumer } from '../../amqp/channel-consumer.js';
import { canSeeVhost } from '../auth.js';
import { vhostOf, type MgmtContext } from '../context.js';
import { notFound } from '../http-error.js';
import type { Request, Router } from '../router.js';
import { channelJson, channelName, connectionJson, consumerJson } from '../shapes.js';

export function connectionRoutes(r: Router, ctx: MgmtContext): void {
  const visible = (req: Request): AmqpConnection[] =>
    [...ctx.amqp.connections].filter((c) => c.vhost !== null && canSeeVhost(ctx.broker, req.user, c.vhost.name) && (req.params['vhost'] === undefined || c.vhost.name === req.params['vhost']));
  const byName = (req: Request): AmqpConnection => {
    const c = visible(req).find((c) => c.name === req.params['name']);
    if (!c) throw notFound();
    return c;
  };
  r.add('GET', '/api/connections', 'management', (req) => visible(req).map((c) => connectionJson(c, ctx.node, ctx.rates)));
  r.add('GET', '/api/vhosts/{vhost}/connections', 'management', (req) => visible(req).map((c) => connectionJson(c, ctx.node, ctx.rates)));
  r.add('GET', '/api/connections/{name}', 'management', (req) => connectionJson(byName(req), ctx.node, ctx.rates));
  r.add('DELETE', '/api/connections/{name}', 'management', (req) => {
    const reason = req.raw.headers['x-reason'];
    byName(req).forceClose(typeof reason === 'string' ? reason : 'Closed via management plugin');
    return undefined;
  });
  r.add('GET', '/api/connections/{name}/channels', 'management', (req) => [...byName(req).channelList].map((ch) => channelJson(ch, ctx.node, ctx.rates)));

  const channels = (req: Request) => visible(req).flatMap((c) => [...c.channelList]);
  r.add('GET', '/api/channels', 'management', (req) => channels(req).map((ch) => channelJson(ch, ctx.node, ctx.rates)));
  r.add('GET', '/api/channels/{name}', 'management', (req) => {
    const ch = channels(req).find((ch) => channelName(ch) === req.params['name']);
    if (!ch) throw notFound();
    return channelJson(ch, ctx.node, ctx.rates);
  });

  const consumers = (req: Request) => {
    if (req.params['vhost'] !== undefined) vhostOf(ctx, req.user, req.params['vhost']);
    return channels(req).flatMap((ch) => [...ch.consumers.values()] as ChannelConsumer[]).map((c) => consumerJson(c, ctx.node));
  };
  r.add('GET', '/api/consumers', 'management', consumers);
  r.add('GET', '/api/consumers/{vhost}', 'management', consumers);
}
