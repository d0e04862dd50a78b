/**
 * The node's log has one line when a connection opens and one when it closes, with the reason, for clients
 * that log in, fail to, or speak the wrong protocol; a bare TCP connect (a port probe) stays out of the
 * info log. A real node process at log level info, amqplib and raw sockets.
 */
import { once } from 'node:events';
import { connect as tcp } from 'node:net';
import amqp from 'amqplib';
import t from 'tap';
import { spawnNode } from '../../helpers/node.js';
import { eventually } from '../../mgmt/fixtures/api.js';

const node = await spawnNode([], { WARREN_LOG_LEVEL: 'info' });
t.teardown(() => node.stop());

interface Line {
  msg: string;
  conn?: string;
  reason?: string;
  user?: string;
}
const lines = (): Line[] =>
  node
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
/** The log lines about the connection from local port `port`, once its close line is there. */
const linesOf = (port: number): Promise<Line[]> =>
  eventually(`the close line of port ${port}`, async () => {
    const mine = lines().filter((l) => l.conn?.startsWith(`127.0.0.1:${port} `));
    return mine.some((l) => l.msg === 'connection closed') ? mine : null;
  });

/** Connects a raw socket, writes `bytes` (if any), waits for the node to close it; returns its local port. */
async function raw(bytes: Buffer | null): Promise<number> {
  const s = tcp({ host: '127.0.0.1', port: node.port });
  await once(s, 'connect');
  const port = s.localPort!;
  s.on('data', () => undefined);
  if (bytes) s.write(bytes);
  else s.end();
  await once(s, 'close');
  return port;
}

t.test('a client that logs in and closes: an opened line and a closed line with the reason', async (t) => {
  const conn = await amqp.connect(node.url);
  const port = (conn.connection as unknown as { stream: { localPort: number } }).stream.localPort;
  await conn.close();
  const mine = await linesOf(port);
  t.match(mine.map((l) => l.msg), ['connection opened', 'connection closed']);
  t.match(mine[1], { user: 'guest', reason: /^client closed the connection: 200/ });
});

t.test('a wrong password: the refusal and the close', async (t) => {
  const refused = await amqp.connect(node.url.replace('guest:guest', 'guest:wrong')).catch((e: Error) => e);
  t.type(refused, Error);
  const refusal = await eventually('the refusal', async () => lines().find((l) => l.msg === 'login refused'));
  const close = await eventually('the close after it', async () => lines().find((l) => l.msg === 'connection closed' && l.conn === refusal.conn));
  t.match(close, { reason: /ACCESS_REFUSED/ });
});

t.test('a wrong protocol header: a closed line naming it', async (t) => {
  const port = await raw(Buffer.from('AMQP\x01\x01\x00\x0a', 'latin1'));
  const mine = await linesOf(port);
  t.match(mine, [{ msg: 'connection closed', reason: /unsupported protocol header/ }]);
});

t.test('a bare TCP connect that sends nothing is not in the info log', async (t) => {
  const port = await raw(null);
  // a later connection's close line shows the node has handled the earlier one
  const later = await raw(Buffer.from('HTTP/1.1\r\n', 'latin1'));
  await linesOf(later);
  t.same(lines().filter((l) => l.conn?.startsWith(`127.0.0.1:${port} `)), []);
});
