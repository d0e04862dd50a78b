/**
 * What channels and vhosts count while clients work: a consumer at its prefetch limit, a confirm channel,
 * and a transaction holding a publish and a `multiple` ack of two deliveries (messages_uncommitted,
 * acks_uncommitted, and the acked deliveries no longer unacknowledged on the channel); the channel's
 * detail with its consumers; the vhost's message counts. Checked against what RabbitMQ 3.10.8 answered,
 * and against a live RabbitMQ when one is reachable.
 */
import type { Test } from 'tap';
import { cloudConnect } from '../node/reliability/helpers.js';
import { enc, eventually } from './fixtures/api.js';
import { inVhost, recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const pick = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));
const CHANNEL_KEYS = ['number', 'confirm', 'transactional', 'consumer_count', 'prefetch_count', 'messages_unacknowledged', 'messages_unconfirmed', 'messages_uncommitted', 'acks_uncommitted'];

async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  const client = await cloudConnect(t, inVhost(side.amqpUrl, side.vhost));
  const consuming = await client.channel();
  await consuming.queueDeclare('q1');
  for (const body of ['a', 'b', 'c', 'd']) await consuming.basicPublish('', 'q1', body);
  await consuming.basicQos(3);
  await consuming.basicConsume('q1', { noAck: false }, () => undefined);
  const confirming = await client.channel();
  await confirming.confirmSelect();
  await confirming.basicPublish('', 'q1', 'e');
  const tx = await client.channel();
  await tx.queueDeclare('q2');
  for (const body of ['x', 'y']) await tx.basicPublish('', 'q2', body);
  await tx.txSelect();
  await eventually('the first message', () => tx.basicGet('q2', { noAck: false }));
  const second = await eventually('the second message', () => tx.basicGet('q2', { noAck: false }));
  await tx.basicAck(second.deliveryTag, true);
  await tx.basicPublish('', 'q2', 'z');
  // a round trip, so the broker has taken the publish before the API is asked
  await tx.queueDeclare('q2', { passive: true });

  // RabbitMQ shows what its channels count once its statistics have caught up
  const channels = await eventually('the channels counted', async () => {
    const list: Record<string, unknown>[] = await api.json(`/api/vhosts/${v}/channels?sort=number`);
    return list.length === 3 && list[2]!['acks_uncommitted'] === 2 && list[0]!['messages_unacknowledged'] === 3 ? list : null;
  }, 30_000);
  const detail = await api.json(`/api/channels/${enc(String(channels[0]!['name']))}`);
  const vhost = await eventually('the vhost counted', async () => {
    const x = await api.json(`/api/vhosts/${v}`);
    return x.messages === 7 && x.messages_unacknowledged === 5 ? x : null;
  }, 30_000);
  return {
    channels: channels.map((c) => pick(c, CHANNEL_KEYS)),
    "a channel's consumers": detail.consumer_details.map((c: Record<string, unknown>) => pick(c, ['queue', 'ack_required', 'prefetch_count', 'active'])),
    "a channel's publishes and deliveries": pick(detail, ['publishes', 'deliveries']),
    vhost: pick(vhost, ['messages', 'messages_ready', 'messages_unacknowledged']),
  };
}

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  channels: [
    { number: 1, confirm: false, transactional: false, consumer_count: 1, prefetch_count: 3, messages_unacknowledged: 3, messages_unconfirmed: 0, messages_uncommitted: 0, acks_uncommitted: 0 },
    { number: 2, confirm: true, transactional: false, consumer_count: 0, prefetch_count: 0, messages_unacknowledged: 0, messages_unconfirmed: 0, messages_uncommitted: 0, acks_uncommitted: 0 },
    { number: 3, confirm: false, transactional: true, consumer_count: 0, prefetch_count: 0, messages_unacknowledged: 0, messages_unconfirmed: 0, messages_uncommitted: 1, acks_uncommitted: 2 },
  ],
  "a channel's consumers": [{ queue: { name: 'q1', vhost: '{vhost}' }, ack_required: true, prefetch_count: 3, active: true }],
  "a channel's publishes and deliveries": { publishes: [], deliveries: [] },
  vhost: { messages: 7, messages_ready: 2, messages_unacknowledged: 5 },
};

await recordedTest('what channels and vhosts count', 'cc', RECORDED, scenario);
