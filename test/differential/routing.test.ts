/**
 * Routing, differentially: topic and headers matching over tables of keys, CC/BCC, mandatory returns with
 * confirms, exchange-to-exchange chains, alternate exchanges, unbinding and auto-delete exchanges.
 */
import type { Channel, ConfirmChannel, Message } from 'amqplib';
import { outcome, returned, scenario, settle, until, type Env } from './harness.js';

const Q = { durable: false } as const;

/** Every message left in `q`, as `label` of each body, removing them. */
async function bodies(ch: Channel, q: string): Promise<string[]> {
  const out: string[] = [];
  for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) out.push(m.content.toString());
  return out;
}

/** One queue per binding on a fresh exchange; returns what each queue received, by binding label. */
async function routingTable(
  env: Env,
  type: string,
  bindings: [label: string, key: string, args?: object][],
  publish: (ch: ConfirmChannel, x: string) => void,
): Promise<Record<string, string[]>> {
  const conn = await env.connect();
  const ch = await conn.channel();
  const x = env.name('x');
  await ch.assertExchange(x, type, Q);
  const queues: [string, string][] = [];
  for (const [i, [label, key, args]] of bindings.entries()) {
    const q = (await ch.assertQueue(env.name(`q${i}`), Q)).queue;
    await ch.bindQueue(q, x, key, args);
    queues.push([label, q]);
  }
  const pub = await conn.confirmChannel();
  publish(pub, x);
  await pub.waitForConfirms();
  const seen: Record<string, string[]> = {};
  for (const [label, q] of queues) seen[label] = await bodies(ch, q);
  return seen;
}

scenario('topic exchange: which patterns match which keys', (env) => {
  const patterns = ['#', '*', 'a', 'a.*', 'a.#', '#.c', '*.b.*', 'a.*.c', 'a.#.c', '#.#', '*.#', '#.*', '*.*', 'a.b.c.#', ''];
  const keys = ['', 'a', 'a.b', 'a.b.c', 'a.x.y.c', 'b', 'x.b.y', 'a..c', '.', 'c', 'a.c', 'a.b.c.d', 'A.B.C'];
  return routingTable(
    env,
    'topic',
    patterns.map((p) => [`[${p}]`, p]),
    (ch, x) => keys.forEach((k) => ch.publish(x, k, Buffer.from(`[${k}]`))),
  ).then((r) => [r]);
});

scenario('headers exchange: which bindings match which headers', (env) => {
  const typed = { '!': 'int', value: 1 };
  const bindings: [string, string, object][] = [
    ['all a=1 b=x', '', { 'x-match': 'all', a: 1, b: 'x' }],
    ['any a=1 b=x', '', { 'x-match': 'any', a: 1, b: 'x' }],
    ['default a=1', '', { a: 1 }],
    ['all empty', '', { 'x-match': 'all' }],
    ['any empty', '', { 'x-match': 'any' }],
    ['all x-h=v', '', { 'x-match': 'all', 'x-h': 'v' }],
    ['any x-h=v', '', { 'x-match': 'any', 'x-h': 'v' }],
    ['all-with-x x-h=v', '', { 'x-match': 'all-with-x', 'x-h': 'v' }],
    ['any-with-x x-h=v a=1', '', { 'x-match': 'any-with-x', 'x-h': 'v', a: 1 }],
    ['all a=void', '', { 'x-match': 'all', a: null }],
    ['all a=int 1', '', { 'x-match': 'all', a: typed }],
  ];
  const messages: [string, object | undefined][] = [
    ['a=1 b=x', { a: 1, b: 'x' }],
    ['a=1', { a: 1 }],
    ['b=x', { b: 'x' }],
    ['a=2 b=x', { a: 2, b: 'x' }],
    ['a="1"', { a: '1' }],
    ['a=int 1', { a: typed }],
    ['a=void', { a: null }],
    ['x-h=v', { 'x-h': 'v' }],
    ['empty', {}],
    ['no headers', undefined],
  ];
  return routingTable(env, 'headers', bindings, (ch, x) =>
    messages.forEach(([label, headers]) => ch.publish(x, 'ignored', Buffer.from(label), headers ? { headers } : {})),
  ).then((r) => [r]);
});

scenario('headers exchange: an invalid x-match is refused at bind', async (env) => {
  const ch = await env.channel();
  await ch.assertExchange(env.name('x'), 'headers', Q);
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  return [await outcome(ch.bindQueue(q, env.name('x'), '', { 'x-match': 'some' }))];
});

scenario('CC and BCC add routing keys; BCC is removed from the delivered headers', async (env) => {
  const ch = await env.channel();
  const x = env.name('x');
  await ch.assertExchange(x, 'direct', Q);
  const qs: Record<string, string> = {};
  for (const [label, keys] of [['qa', ['a']], ['qb', ['b']], ['qc', ['c']], ['qab', ['a', 'b']], ['qd', ['d']]] as const) {
    qs[label] = (await ch.assertQueue(env.name(label), Q)).queue;
    for (const k of keys) await ch.bindQueue(qs[label]!, x, k);
  }
  await env.send(x, 'a', ['m1'], { CC: ['b'], BCC: ['c'], headers: { keep: 'me' } });
  await env.send(x, 'zzz', ['m2'], { CC: 'd' });
  await env.send('', qs['qa']!, ['m3'], { BCC: [qs['qd']!] });
  const obs: unknown[] = [];
  for (const [label, q] of Object.entries(qs)) {
    const got: unknown[] = [];
    for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) {
      got.push({ body: m.content.toString(), routingKey: m.fields.routingKey, headers: m.properties.headers });
    }
    obs.push(label, got);
  }
  return obs;
});

scenario('mandatory returns come before the confirm of the same message', async (env) => {
  const conn = await env.connect();
  const ch = await conn.confirmChannel();
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  const events: string[] = [];
  let acked = 0;
  ch.on('return', (m: Message) => events.push(returned(m)));
  ch.on('ack', ({ deliveryTag, multiple }: { deliveryTag: number; multiple: boolean }) => {
    for (let n = multiple ? acked + 1 : deliveryTag; n <= deliveryTag; n++) events.push(`ack ${n}`);
    acked = Math.max(acked, deliveryTag);
  });
  ch.on('nack', ({ deliveryTag }: { deliveryTag: number }) => events.push(`nack ${deliveryTag}`));
  const sends: [string, string, string, boolean][] = [
    ['', q, 'routed', true],
    ['', env.name('missing'), 'unroutable mandatory', true],
    ['amq.direct', 'nobody', 'unroutable not mandatory', false],
    ['amq.topic', 'nobody', 'unroutable mandatory topic', true],
    ['', q, 'routed again', false],
  ];
  for (const [x, key, body, mandatory] of sends) ch.publish(x, key, Buffer.from(body), { mandatory });
  await ch.waitForConfirms();
  await until(() => acked >= sends.length);
  // each return before its message's ack, acks complete and in order
  const returns = events.filter((e) => e.startsWith('return'));
  const ackOrder = events.filter((e) => e.startsWith('ack') || e.startsWith('nack'));
  const returnBeforeAck = sends
    .map(([, , body], i) => [body, i + 1] as const)
    .filter(([body]) => returns.some((r) => r.startsWith(`return ${body} `)))
    .map(([body, seq]) => [body, events.findIndex((e) => e.startsWith(`return ${body} `)) < events.indexOf(`ack ${seq}`)]);
  return [returns, ackOrder, returnBeforeAck, (await ch.checkQueue(q)).messageCount];
});

scenario('exchange-to-exchange bindings chain, cycles deliver once, unbinding cuts the chain', async (env) => {
  const ch = await env.channel();
  const [x1, x2, x3] = [env.name('x1'), env.name('x2'), env.name('x3')];
  await ch.assertExchange(x1, 'direct', Q);
  await ch.assertExchange(x2, 'topic', Q);
  await ch.assertExchange(x3, 'fanout', Q);
  const [q1, q2] = [env.name('q1'), env.name('q2')];
  await ch.assertQueue(q1, Q);
  await ch.assertQueue(q2, Q);
  await ch.bindExchange(x2, x1, 'k.one');
  await ch.bindExchange(x3, x2, 'k.#');
  await ch.bindExchange(x1, x3, ''); // a cycle back to the start
  await ch.bindQueue(q1, x3, '');
  await ch.bindQueue(q2, x2, '*.one');
  await ch.bindQueue(q2, x1, 'k.one'); // q2 reachable twice
  await env.send(x1, 'k.one', ['m1']);
  await env.send(x1, 'k.two', ['m2']);
  const obs: unknown[] = [await bodies(ch, q1), await bodies(ch, q2)];
  await ch.unbindExchange(x3, x2, 'k.#');
  await env.send(x1, 'k.one', ['m3']);
  obs.push(await bodies(ch, q1), await bodies(ch, q2));
  await ch.deleteExchange(x2);
  await env.send(x1, 'k.one', ['m4']);
  obs.push(await bodies(ch, q1), await bodies(ch, q2));
  return obs;
});

scenario('unbinding stops routing; unknown bindings unbind quietly', async (env) => {
  const ch = await env.channel();
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  await ch.bindQueue(q, 'amq.direct', 'k1');
  await ch.bindQueue(q, 'amq.direct', 'k1'); // the same binding twice is one binding
  await ch.bindQueue(q, 'amq.topic', 'k.*');
  await env.send('amq.direct', 'k1', ['d1']);
  await env.send('amq.topic', 'k.x', ['t1']);
  const obs: unknown[] = [await bodies(ch, q)];
  obs.push(await outcome(ch.unbindQueue(q, 'amq.direct', 'k1')), await outcome(ch.unbindQueue(q, 'amq.topic', 'k.*')));
  obs.push(await outcome(ch.unbindQueue(q, 'amq.topic', 'k.*')));
  await env.send('amq.direct', 'k1', ['d2']);
  await env.send('amq.topic', 'k.x', ['t2']);
  obs.push(await bodies(ch, q));
  return obs;
});

scenario('an auto-delete exchange goes with its last binding', async (env) => {
  const ch = await env.channel();
  const x = env.name('x');
  await ch.assertExchange(x, 'fanout', { ...Q, autoDelete: true });
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  const check = async (): Promise<unknown> => outcome((await env.channel()).checkExchange(x));
  const obs: unknown[] = ['unbound', await check()];
  await ch.bindQueue(q, x, 'a');
  await ch.bindQueue(q, x, 'b');
  await ch.unbindQueue(q, x, 'a');
  obs.push('one binding left', await check());
  await ch.unbindQueue(q, x, 'b');
  await settle();
  obs.push('none left', await check());
  await ch.assertExchange(x, 'fanout', { ...Q, autoDelete: true });
  await ch.bindQueue(q, x, '');
  await ch.deleteQueue(q);
  await settle();
  obs.push('its queue deleted', await check());
  return obs;
});

scenario('alternate exchange: unroutable messages go there, returned only if it routes nowhere', async (env) => {
  const conn = await env.connect();
  const ch = await conn.confirmChannel();
  const [x, ae, empty] = [env.name('x'), env.name('ae'), env.name('empty-ae')];
  await ch.assertExchange(ae, 'fanout', Q);
  await ch.assertExchange(empty, 'fanout', Q);
  await ch.assertExchange(x, 'direct', { ...Q, alternateExchange: ae });
  await ch.assertExchange(env.name('x2'), 'direct', { ...Q, alternateExchange: empty });
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  const aq = (await ch.assertQueue(env.name('aq'), Q)).queue;
  await ch.bindQueue(q, x, 'k');
  await ch.bindQueue(aq, ae, '');
  const returns: string[] = [];
  ch.on('return', (m: Message) => returns.push(returned(m)));
  ch.publish(x, 'k', Buffer.from('routed'), { mandatory: true });
  ch.publish(x, 'other', Buffer.from('to the AE'), { mandatory: true });
  ch.publish(env.name('x2'), 'other', Buffer.from('AE routes nowhere'), { mandatory: true });
  await ch.waitForConfirms();
  await settle(100);
  return [returns, await bodies(ch, q), await bodies(ch, aq)];
});

scenario('message properties, header values and large bodies arrive unchanged', async (env) => {
  const ch = await env.channel();
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  const headers = {
    str: 'text',
    int: 42,
    neg: -70000,
    big: 2 ** 40,
    float: 1.5,
    yes: true,
    nil: null,
    list: [1, 'two', false, [3]],
    table: { nested: { deeper: 'x' } },
    bytes: Buffer.from([0, 1, 2]),
  };
  const props = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers,
    deliveryMode: 1,
    priority: 7,
    correlationId: 'corr',
    replyTo: 'reply',
    expiration: '60000',
    messageId: 'mid',
    timestamp: 1_700_000_000,
    type: 'kind',
    userId: 'guest',
    appId: 'app',
  };
  await env.send('', q, ['with properties'], props);
  const big = 'x'.repeat(300_000);
  await env.send('', q, ['', big]);
  const out: unknown[] = [];
  for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) {
    out.push({ length: m.content.length, same: [big, '', 'with properties'].includes(m.content.toString()), properties: m.properties });
  }
  return out;
});
