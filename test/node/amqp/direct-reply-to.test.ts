/**
 * Direct reply-to where Warren does better than RabbitMQ 3.10.8 (docs/rabbitmq-differences.md): a reply
 * delivered is not also returned when published as mandatory, and each reply takes a delivery tag of its
 * own, so the channel's other deliveries are still acknowledged by theirs.
 */
import t from 'tap';
import type { ConsumeMessage, Message } from 'amqplib';
import { channel, confirmChannel, connect, nodeFor, until } from '../broker/helpers.js';

const node = await nodeFor(t);
const REPLY = 'amq.rabbitmq.reply-to';

t.test('a mandatory reply that is delivered is not returned; replies and deliveries each get their own tag', async (t) => {
  const conn = await connect(t, node.url);
  const requester = await channel(conn);
  const replies: ConsumeMessage[] = [];
  const work: ConsumeMessage[] = [];
  await requester.consume(REPLY, (m) => m && replies.push(m), { noAck: true });
  const { queue: jobs } = await requester.assertQueue('', { autoDelete: false, durable: false });
  t.teardown(() => channel(conn).then((ch) => ch.deleteQueue(jobs)));
  await requester.consume(jobs, (m) => m && work.push(m), { noAck: false });

  const responder = await confirmChannel(conn);
  const returns: Message[] = [];
  responder.on('return', (m: Message) => returns.push(m));
  const { queue: rpc } = await responder.assertQueue('', { exclusive: true });
  await responder.consume(rpc, (m) => m && responder.publish('', m.properties.replyTo, m.content, { mandatory: true }), { noAck: true });

  for (const body of ['r1', 'r2']) {
    requester.publish('', rpc, Buffer.from(body), { replyTo: REPLY });
    responder.publish('', jobs, Buffer.from(`job-${body}`));
  }
  await until(() => replies.length === 2 && work.length === 2, 'two replies and two jobs');
  await responder.waitForConfirms();
  t.same(replies.map((m) => m.content.toString()), ['r1', 'r2']);
  t.same(returns, [], 'no basic.return for replies that were delivered');
  const tags = [...replies, ...work].map((m) => m.fields.deliveryTag);
  t.equal(new Set(tags).size, 4, `four distinct delivery tags (${tags.join(', ')})`);
  // an ack naming a tag the channel did not hand out would close it (406), and closing requeues the jobs
  for (const m of work) requester.ack(m);
  await requester.checkQueue(jobs);
  await requester.close();
  t.equal((await (await channel(conn)).checkQueue(jobs)).messageCount, 0, 'the jobs were acked by their tags');
});
