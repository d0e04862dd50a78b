/**
 * Exchanges over real TCP with amqplib: the built-in exchanges, routing by each type, declaration rules and
 * their reply codes, deletion, exchange-to-exchange bindings and auto-delete.
 */
import t from 'tap';
import { channel, confirmChannel, connect, nextError, nodeFor, rejection, replyText, routedTo, queuesBoundByName } from './helpers.js';

const node = await nodeFor(t);

t.test('the default exchange routes by queue name and cannot be declared or bound', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('dx-q', { durable: false });
  t.same(await routedTo(ch, '', 'dx-q', ['dx-q']), ['dx-q']);
  t.same(await routedTo(ch, '', 'no-such-queue', ['dx-q']), []);

  const bind = await rejection((await channel(conn)).bindQueue('dx-q', '', 'k'));
  t.equal(bind.code, 403);
  t.equal(replyText(bind), 'ACCESS_REFUSED - operation not permitted on the default exchange');
  const declare = await rejection((await channel(conn)).assertExchange('', 'direct'));
  t.equal(declare.code, 403);
});

t.test('amq.direct, amq.fanout, amq.topic, amq.headers and amq.match exist with their types', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  for (const x of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match']) await ch.checkExchange(x);
  await ch.assertQueue('amq-q', { durable: false });
  await ch.bindQueue('amq-q', 'amq.direct', 'k');
  await ch.bindQueue('amq-q', 'amq.fanout', 'ignored');
  await ch.bindQueue('amq-q', 'amq.topic', 'a.*');
  await ch.bindQueue('amq-q', 'amq.headers', '', { 'x-match': 'all', h: 'headers' });
  await ch.bindQueue('amq-q', 'amq.match', '', { 'x-match': 'any', m: 'match' });
  t.same(await routedTo(ch, 'amq.direct', 'k', ['amq-q']), ['amq-q'], 'direct by key');
  t.same(await routedTo(ch, 'amq.direct', 'other', ['amq-q']), [], 'direct ignores other keys');
  t.same(await routedTo(ch, 'amq.fanout', 'whatever', ['amq-q']), ['amq-q'], 'fanout ignores the key');
  t.same(await routedTo(ch, 'amq.topic', 'a.b', ['amq-q']), ['amq-q'], 'topic pattern');
  t.same(await routedTo(ch, 'amq.topic', 'a.b.c', ['amq-q']), []);
  t.same(await routedTo(ch, 'amq.headers', '', ['amq-q'], { headers: { h: 'headers' } }), ['amq-q'], 'headers');
  t.same(await routedTo(ch, 'amq.match', '', ['amq-q'], { headers: { m: 'match' } }), ['amq-q'], 'match is headers');
  t.same(await routedTo(ch, 'amq.match', '', ['amq-q'], { headers: { m: 'other' } }), []);
});

t.test('direct routing delivers to every queue bound with the exact key', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('direct-x', 'direct', { durable: false });
  await queuesBoundByName(ch, 'direct-x', ['d-red', 'd-green']);
  await ch.bindQueue('d-green', 'direct-x', 'd-red');
  t.same(await routedTo(ch, 'direct-x', 'd-red', ['d-red', 'd-green']), ['d-red', 'd-green']);
  t.same(await routedTo(ch, 'direct-x', 'd-green', ['d-red', 'd-green']), ['d-green']);
  t.same(await routedTo(ch, 'direct-x', 'D-RED', ['d-red', 'd-green']), [], 'keys are case sensitive');
  t.same(await routedTo(ch, 'direct-x', '', ['d-red', 'd-green']), []);
});

t.test('fanout routing ignores the routing key and delivers once per queue', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('fanout-x', 'fanout', { durable: false });
  await queuesBoundByName(ch, 'fanout-x', ['f-1', 'f-2']);
  await ch.bindQueue('f-1', 'fanout-x', 'second-binding');
  t.same(await routedTo(ch, 'fanout-x', 'anything', ['f-1', 'f-2']), ['f-1', 'f-2']);
  t.same(await routedTo(ch, 'fanout-x', '', ['f-1', 'f-2']), ['f-1', 'f-2']);
});

t.test('topic routing: * is one word, # is zero or more', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('topic-x', 'topic', { durable: false });
  const patterns = ['*.orange.*', '*.*.rabbit', 'lazy.#', 'a.#.b', '#', 'a.*', 'a.b.c'];
  await queuesBoundByName(ch, 'topic-x', patterns);
  const to = (key: string): Promise<string[]> => routedTo(ch, 'topic-x', key, patterns);
  t.same(await to('quick.orange.rabbit'), ['*.orange.*', '*.*.rabbit', '#']);
  t.same(await to('lazy.orange.elephant'), ['*.orange.*', 'lazy.#', '#']);
  t.same(await to('quick.orange.fox'), ['*.orange.*', '#']);
  t.same(await to('lazy'), ['lazy.#', '#'], '# matches zero words after lazy');
  t.same(await to('lazy.pink.rabbit'), ['*.*.rabbit', 'lazy.#', '#'], 'one copy though two bindings match');
  t.same(await to('quick.orange.male.rabbit'), ['#']);
  t.same(await to('a.b'), ['a.#.b', '#', 'a.*'], 'a.#.b with # matching zero words');
  t.same(await to('a.x.y.b'), ['a.#.b', '#']);
  t.same(await to('a.b.c'), ['#', 'a.b.c']);
  t.same(await to('a.b.b'), ['a.#.b', '#']);
  t.same(await to('a'), ['#'], '* needs exactly one word');
});

t.test('topic: an empty routing key has zero words, so * and #.* do not match it', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('topic-empty-x', 'topic', { durable: false });
  await queuesBoundByName(ch, 'topic-empty-x', ['*', '#.*', '#']);
  t.same(await routedTo(ch, 'topic-empty-x', '', ['*', '#.*', '#']), ['#']);
});

t.test('headers routing: x-match all/any, the -with-x variants, and x- keys', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertExchange('headers-x', 'headers', { durable: false });
  const bindings: Record<string, Record<string, unknown>> = {
    'h-all': { 'x-match': 'all', format: 'pdf', type: 'report' },
    'h-any': { 'x-match': 'any', format: 'pdf', type: 'report' },
    'h-default-all': { format: 'zip' },
    'h-x-ignored': { 'x-match': 'all', 'x-tenant': 'acme', format: 'csv' },
    'h-all-with-x': { 'x-match': 'all-with-x', 'x-tenant': 'acme', format: 'csv' },
    'h-any-with-x': { 'x-match': 'any-with-x', 'x-tenant': 'acme' },
    'h-any-only-x': { 'x-match': 'any', 'x-tenant': 'acme' },
  };
  const queues = Object.keys(bindings);
  for (const [q, args] of Object.entries(bindings)) {
    await ch.assertQueue(q, { durable: false });
    await ch.bindQueue(q, 'headers-x', 'key-is-ignored', args);
  }
  const to = (headers: Record<string, unknown>): Promise<string[]> => routedTo(ch, 'headers-x', 'anything', queues, { headers });
  t.same(await to({ format: 'pdf', type: 'report' }), ['h-all', 'h-any']);
  t.same(await to({ format: 'pdf', type: 'log', extra: 1 }), ['h-any']);
  t.same(await to({ format: 'zip' }), ['h-default-all'], 'x-match defaults to all');
  t.same(await to({ format: 'csv' }), ['h-x-ignored'], 'x- binding keys are ignored by all/any');
  t.same(await to({ format: 'csv', 'x-tenant': 'acme' }), ['h-x-ignored', 'h-all-with-x', 'h-any-with-x']);
  t.same(await to({ format: 'csv', 'x-tenant': 'other' }), ['h-x-ignored']);
  t.same(await to({}), []);

  const bad = await rejection((await channel(conn)).bindQueue('h-all', 'headers-x', '', { 'x-match': 'bogus' }));
  t.equal(bad.code, 406);
  t.match(replyText(bad), /^PRECONDITION_FAILED - Invalid x-match field value .*bogus.*; expected all, any, all-with-x, or any-with-x$/);
});

t.test("an invalid x-match is refused in RabbitMQ's words", async (t) => {
  const ch = await channel(await connect(t, node.url));
  await ch.assertQueue('h-bad', { durable: false });
  const bad = await rejection(ch.bindQueue('h-bad', 'amq.headers', '', { 'x-match': 'bogus' }));
  t.equal(replyText(bad), 'PRECONDITION_FAILED - Invalid x-match field value <<"bogus">>; expected all, any, all-with-x, or any-with-x');
});

t.test('passive declare of the default exchange is 403', async (t) => {
  const e = await rejection((await channel(await connect(t, node.url))).checkExchange(''));
  t.equal(e.code, 403);
  t.equal(replyText(e), 'ACCESS_REFUSED - operation not permitted on the default exchange');
});

t.test('passive declare: ok for an existing exchange, 404 for a missing one', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  await ch.assertExchange('passive-x', 'fanout', { durable: false });
  await ch.checkExchange('passive-x');
  const e = await rejection(ch.checkExchange('missing-x'));
  t.equal(e.code, 404);
  t.equal(replyText(e), "NOT_FOUND - no exchange 'missing-x' in vhost '/'");
});

t.test('re-declaring with another type or flag is 406 inequivalent arg', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  await ch.assertExchange('eq-x', 'direct', { durable: false, autoDelete: false, internal: false });
  await ch.assertExchange('eq-x', 'direct', { durable: false }); // identical: fine
  const cases: [string, () => Promise<unknown>, string][] = [
    ['type', async () => (await channel(conn)).assertExchange('eq-x', 'fanout', { durable: false }), "received 'fanout' but current is 'direct'"],
    ['durable', async () => (await channel(conn)).assertExchange('eq-x', 'direct', { durable: true }), "received 'true' but current is 'false'"],
    ['auto_delete', async () => (await channel(conn)).assertExchange('eq-x', 'direct', { durable: false, autoDelete: true }), "received 'true' but current is 'false'"],
    ['internal', async () => (await channel(conn)).assertExchange('eq-x', 'direct', { durable: false, internal: true }), "received 'true' but current is 'false'"],
  ];
  for (const [arg, declare, tail] of cases) {
    const e = await rejection(declare());
    t.equal(e.code, 406, arg);
    t.equal(replyText(e), `PRECONDITION_FAILED - inequivalent arg '${arg}' for exchange 'eq-x' in vhost '/': ${tail}`);
  }
});

t.test('an unknown exchange type closes the connection with 503 COMMAND_INVALID', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  const closed = nextError(conn, 'connection.close');
  await rejection(ch.assertExchange('bogus-x', 'bogus'));
  const e = await closed;
  t.equal(e.code, 503);
  t.match(e.message, /COMMAND_INVALID - unknown exchange type 'bogus'/);
});

t.test(
  'the exchange type is checked first: an empty one is "invalid", a bad one on an amq.* name still 503',
  async (t) => {
    for (const [name, type, text] of [
      ['empty-type-x', '', "COMMAND_INVALID - invalid exchange type ''"],
      ['amq.custom', 'bogus', "COMMAND_INVALID - unknown exchange type 'bogus'"],
    ] as const) {
      const conn = await connect(t, node.url);
      const closed = nextError(conn, 'connection.close');
      await rejection((await channel(conn)).assertExchange(name, type));
      t.match(await closed, { code: 503, message: new RegExp(text) }, `${name} / '${type}'`);
    }
  },
);

t.test('creating an amq.* exchange is 403', async (t) => {
  const e = await rejection((await channel(await connect(t, node.url))).assertExchange('amq.custom', 'direct'));
  t.equal(e.code, 403);
  t.equal(replyText(e), "ACCESS_REFUSED - exchange name 'amq.custom' contains reserved prefix 'amq.*'");
});

t.test(
  'an existing amq.* exchange may be re-declared: equivalent is declare-ok, another type 406',
  async (t) => {
    const conn = await connect(t, node.url);
    await (await channel(conn)).assertExchange('amq.direct', 'direct', { durable: true });
    const e = await rejection((await channel(conn)).assertExchange('amq.direct', 'fanout', { durable: true }));
    t.equal(e.code, 406);
    t.equal(replyText(e), "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.direct' in vhost '/': received 'fanout' but current is 'direct'");
  },
);

t.test('the default and amq.* exchanges cannot be deleted (403)', async (t) => {
  const conn = await connect(t, node.url);
  const dflt = await rejection((await channel(conn)).deleteExchange(''));
  t.equal(dflt.code, 403);
  t.equal(replyText(dflt), 'ACCESS_REFUSED - operation not permitted on the default exchange');
  t.equal((await rejection((await channel(conn)).deleteExchange('amq.direct'))).code, 403);
  await (await channel(conn)).checkExchange('amq.direct');
});

t.test("deleting amq.direct is refused in RabbitMQ's words", async (t) => {
  const e = await rejection((await channel(await connect(t, node.url))).deleteExchange('amq.direct'));
  t.equal(replyText(e), "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed");
});

t.test('internal exchanges refuse publishes (403) but take messages from other exchanges', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertExchange('internal-x', 'fanout', { durable: false, internal: true });
  await ch.assertExchange('front-x', 'fanout', { durable: false });
  await ch.bindExchange('internal-x', 'front-x', '');
  await queuesBoundByName(ch, 'internal-x', ['internal-q']);
  t.same(await routedTo(ch, 'front-x', '', ['internal-q']), ['internal-q'], 'reachable through an e2e binding');

  const pub = await channel(conn);
  const closed = nextError(pub);
  pub.publish('internal-x', '', Buffer.from('direct to internal'));
  const e = await closed;
  t.equal(e.code, 403);
  t.match(e.message, /ACCESS_REFUSED - cannot publish to internal exchange 'internal-x' in vhost '\/'/);
});

t.test('exchange.delete: if-unused is 406 while bound, then deletes', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  await ch.assertExchange('del-x', 'direct', { durable: false });
  await queuesBoundByName(ch, 'del-x', ['delx-q']);
  const e = await rejection(ch.deleteExchange('del-x', { ifUnused: true }));
  t.equal(e.code, 406);
  t.equal(replyText(e), "PRECONDITION_FAILED - exchange 'del-x' in vhost '/' in use");

  const ch2 = await channel(conn);
  await ch2.checkExchange('del-x');
  await ch2.unbindQueue('delx-q', 'del-x', 'delx-q');
  await ch2.deleteExchange('del-x', { ifUnused: true });
  const gone = await rejection(ch2.checkExchange('del-x'));
  t.equal(gone.code, 404);
});

t.test('exchange-to-exchange bindings route, unbind, and a cycle does not loop', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertExchange('e2e-1', 'topic', { durable: false });
  await ch.assertExchange('e2e-2', 'direct', { durable: false });
  await ch.bindExchange('e2e-2', 'e2e-1', 'k.*');
  await queuesBoundByName(ch, 'e2e-2', ['e2e-q']);
  await ch.bindQueue('e2e-q', 'e2e-2', 'k.1');
  t.same(await routedTo(ch, 'e2e-1', 'k.1', ['e2e-q']), ['e2e-q'], 'through x1 -> x2 -> q');
  t.same(await routedTo(ch, 'e2e-1', 'other', ['e2e-q']), [], 'x1 binding key filters');

  await ch.bindExchange('e2e-1', 'e2e-2', 'k.1'); // the cycle x1 -> x2 -> x1
  await ch.bindQueue('e2e-q', 'e2e-1', '#'); // and q reachable from both
  t.same(await routedTo(ch, 'e2e-1', 'k.1', ['e2e-q']), ['e2e-q'], 'one copy, no loop (publish to x1)');
  t.same(await routedTo(ch, 'e2e-2', 'k.1', ['e2e-q']), ['e2e-q'], 'one copy, no loop (publish to x2)');

  await ch.unbindExchange('e2e-2', 'e2e-1', 'k.*');
  await ch.unbindQueue('e2e-q', 'e2e-1', '#');
  t.same(await routedTo(ch, 'e2e-1', 'k.1', ['e2e-q']), [], 'unbound: nothing reaches q from x1');
  t.same(await routedTo(ch, 'e2e-2', 'k.1', ['e2e-q']), ['e2e-q']);
});

t.test('an auto-delete exchange goes when its last binding goes, not before', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  const gone = async (x: string): Promise<number | undefined> => (await rejection((await channel(conn)).checkExchange(x))).code;

  await ch.assertExchange('ad-x', 'direct', { durable: false, autoDelete: true });
  await ch.checkExchange('ad-x'); // never bound: still there
  await queuesBoundByName(ch, 'ad-x', ['adx-q1', 'adx-q2']);
  await ch.unbindQueue('adx-q1', 'ad-x', 'adx-q1');
  await ch.checkExchange('ad-x');
  await ch.unbindQueue('adx-q2', 'ad-x', 'adx-q2');
  t.equal(await gone('ad-x'), 404, 'removed by the last unbind');

  await ch.assertExchange('ad-x2', 'fanout', { durable: false, autoDelete: true });
  await queuesBoundByName(ch, 'ad-x2', ['adx-q3']);
  await ch.deleteQueue('adx-q3');
  t.equal(await gone('ad-x2'), 404, 'removed when its last bound queue is deleted');

  await ch.assertExchange('ad-x3', 'fanout', { durable: false, autoDelete: true });
  await ch.assertExchange('ad-dest', 'fanout', { durable: false });
  await ch.bindExchange('ad-dest', 'ad-x3', '');
  await ch.unbindExchange('ad-dest', 'ad-x3', '');
  t.equal(await gone('ad-x3'), 404, 'removed when its last exchange binding goes');
  await ch.checkExchange('ad-dest');
});
