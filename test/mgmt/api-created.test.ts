/**
 * PUT answers as RabbitMQ's: 201 Created when it made the object the path names, 204 when that object
 * existed (even if the PUT changed it). Checked against what RabbitMQ 3.10.8 answered, and against a live
 * RabbitMQ when one is reachable.
 */
import type { Test } from 'tap';
import { enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

/** The statuses of PUTs of each kind of object: made, then put again as it is, then changed. */
async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  const user = enc(`user-${side.vhost}`);
  const vhost = enc(`made-${side.vhost}`);
  t.teardown(async () => {
    await api.del(`/api/users/${user}`);
    await api.del(`/api/vhosts/${vhost}`);
  });
  const statuses = async (path: string, ...bodies: unknown[]) => {
    const out: number[] = [];
    for (const body of bodies) out.push((await api.put(path, body)).status);
    return out;
  };
  const policy = (maxLength: number) => ({ pattern: '^none$', definition: { 'max-length': maxLength }, priority: 0, 'apply-to': 'queues' });
  return {
    vhost: await statuses(`/api/vhosts/${vhost}`, {}, {}, { description: 'changed' }),
    user: await statuses(`/api/users/${user}`, { password: 'pw', tags: '' }, { password: 'pw', tags: '' }, { password: 'pw', tags: 'management' }),
    permissions: await statuses(`/api/permissions/${v}/${user}`, { configure: '', write: '', read: '' }, { configure: '', write: '', read: '' }, { configure: '.*', write: '', read: '' }),
    // the object is the user's topic permissions in the vhost: a second exchange updates it
    'topic permissions': await statuses(
      `/api/topic-permissions/${v}/${user}`,
      { exchange: 'amq.topic', write: '.*', read: '.*' },
      { exchange: 'amq.topic', write: '.*', read: '.*' },
      { exchange: 'other', write: '.*', read: '.*' },
    ),
    exchange: await statuses(`/api/exchanges/${v}/x`, { type: 'direct', durable: false }, { type: 'direct', durable: false }),
    queue: await statuses(`/api/queues/${v}/q`, { durable: false }, { durable: false }),
    policy: await statuses(`/api/policies/${v}/p`, policy(1), policy(1), policy(2)),
    'operator policy': await statuses(`/api/operator-policies/${v}/op`, policy(1), policy(1), policy(2)),
    'operator policy as a parameter': await statuses(`/api/parameters/operator_policy/${v}/op2`, { value: policy(1) }, { value: policy(1) }, { value: policy(2) }),
  };
}

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  vhost: [201, 204, 204],
  user: [201, 204, 204],
  permissions: [201, 204, 204],
  'topic permissions': [201, 204, 204],
  exchange: [201, 204],
  queue: [201, 204],
  policy: [201, 204, 204],
  'operator policy': [201, 204, 204],
  'operator policy as a parameter': [201, 204, 204],
};

await recordedTest('201 for a new object, 204 for an existing one', 'warren-created', RECORDED, scenario);
