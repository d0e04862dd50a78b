/**
 * Permissions at the AMQP level: a server-named queue needs configure access to the name the server
 * generates, as in RabbitMQ (403 naming that name), and none is made for a user who lacks it.
 */
import t from 'tap';
import { Permission } from '../../../node/broker/permissions.js';
import { startTestNode } from '../../helpers/node.js';
import { channel, connect, rejection, replyText } from '../broker/helpers.js';

const node = await startTestNode();
t.teardown(() => node.close());
const broker = node.node.broker;
const url = (user: string): string => node.url.replace('guest:guest', `${user}:pw`);

t.test('queue.declare with an empty name checks configure on the generated name', async (t) => {
  broker.addUser('cfg-only', 'pw');
  broker.setPermission('/', 'cfg-only', new Permission('^cfg-.*', '.*', '.*'));
  const before = broker.vhosts.get('/')!.queues.size;
  const ch = await channel(await connect(t, url('cfg-only')));
  const e = await rejection(ch.assertQueue('', { exclusive: true }));
  t.match(e, { code: 403, classId: 50, methodId: 10 });
  t.match(replyText(e), /^ACCESS_REFUSED - access to queue 'amq\.gen-[\w-]{22}' in vhost '\/' refused for user 'cfg-only'$/);
  t.equal(broker.vhosts.get('/')!.queues.size, before, 'no queue was made');

  broker.addUser('gen-ok', 'pw');
  broker.setPermission('/', 'gen-ok', new Permission('^amq\\.gen-', '.*', '.*'));
  const ok = await channel(await connect(t, url('gen-ok')));
  t.match((await ok.assertQueue('', { exclusive: true })).queue, /^amq\.gen-/, 'a user allowed amq.gen-* declares it');
});

t.test('a pattern that refuses the actual generated name: the queue is removed again, 403', async (t) => {
  broker.addUser('picky', 'pw');
  // accepts about half of all generated names: the check before declaring and the one after can disagree
  broker.setPermission('/', 'picky', new Permission('^amq\\.gen-[A-Za-f]', '.*', '.*'));
  const conn = await connect(t, url('picky'));
  let refused = 0;
  for (let i = 0; i < 20; i++) {
    const ch = await channel(conn);
    const name = await ch.assertQueue('', { exclusive: true }).then((ok) => ok.queue, () => null);
    if (name === null) refused++;
    else t.match(name, /^amq\.gen-[A-Za-f]/, `${name} matches`);
  }
  t.ok(refused > 0, `${refused} of 20 refused`);
  t.notOk([...broker.vhosts.get('/')!.queues.keys()].some((n) => /^amq\.gen-[g-z0-9_-]/.test(n)), 'no refused queue was kept');
});
