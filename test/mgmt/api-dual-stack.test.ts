/**
 * On a dual-stack listener (`--amqp-host ::`, the default), an IPv4 client is listed with its IPv4 address,
 * as RabbitMQ lists it, not as `::ffff:127.0.0.1`: in peer_host, host and the connection's name.
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, eventually } from './fixtures/api.js';

const node = await startTestNode({ amqpHost: '::' });
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);

t.test('an IPv4 client of a dual-stack listener', async (t) => {
  await amqp(t, node.url, 'dual-stack');
  type Conn = { name: string; peer_host: string; host: string; client_properties: { connection_name?: string } };
  const c = await eventually('the connection', async () => ((await api.json('/api/connections')) as Conn[]).find((c) => c.client_properties.connection_name === 'dual-stack'));
  t.match(c, { peer_host: '127.0.0.1', host: '127.0.0.1', name: new RegExp(`^127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${node.port}$`) });
});
