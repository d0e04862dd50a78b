/**
 * basic.recover over real TCP: recover-ok comes before the redeliveries, as RabbitMQ answers before its
 * queues redeliver.
 */
import t from 'tap';
import { startTestNode } from '../../helpers/node.js';
import { declareMethod, publishMethod, rawClient } from '../../helpers/raw-client.js';

const node = await startTestNode();
t.teardown(() => node.close());

t.test('basic.recover requeue=true: recover-ok, then the unacked messages again, redelivered', async (t) => {
  const c = await rawClient(t, node.port, {});
  c.sendMethod(1, declareMethod('', { exclusive: true }));
  const { queue } = await c.waitFor('queue.declare-ok');
  c.sendMethod(1, publishMethod(queue));
  c.sendContent(1, Buffer.from('m'));
  c.sendMethod(1, { name: 'basic.consume', ticket: 0, queue, consumerTag: 'c', noLocal: false, noAck: false, exclusive: false, nowait: false, arguments: {} });
  t.match(await c.waitFor('basic.deliver'), { deliveryTag: 1, redelivered: false });
  c.sendMethod(1, { name: 'basic.recover', requeue: true });
  t.match(await c.waitFor('basic.deliver'), { deliveryTag: 2, redelivered: true });
  const names = c.methods(1).map((m) => m.name).filter((n) => n === 'basic.recover-ok' || n === 'basic.deliver');
  t.same(names, ['basic.deliver', 'basic.recover-ok', 'basic.deliver']);
});
