/**
 * Policy validation through the management API as RabbitMQ 3.10 does it: the keys it accepts (some act
 * only on other queue types, and a classic queue ignores them there too), the ones operator policies may
 * set, ha-* and federation keys checked together, its 400 reasons word for word ("Validation failed", the
 * first problem with the definition, Erlang terms, HTML-escaped for policies only), and patterns read as
 * PCRE: (?i) and \A...\z work, what JavaScript cannot express is refused. Each table also runs
 * differentially against RabbitMQ's management API when it is reachable.
 */
import t, { type Test } from 'tap';
import type { Channel, ConfirmChannel } from 'amqplib';
import { PolicyError } from '../../../node/broker/policies.js';
import { settle, type Env } from '../../differential/harness.js';
import { mgmtScenario, type Mgmt, type PolicyKind } from '../../differential/mgmt.js';
import { Api } from '../../mgmt/fixtures/api.js';
import { channel, confirmChannel, connect, nodeFor, vhostOf, within } from './helpers.js';

const node = await nodeFor(t);
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
const Q = { durable: false } as const;

/** Policy definitions with the status and reason RabbitMQ 3.10.8 answers (as seen on one). */
const DEFINITIONS: [Record<string, unknown>, number, string][] = [
  [{ 'no-such-key': 1 }, 400, '[{&lt;&lt;"no-such-key"&gt;&gt;,1}] are not recognised policy settings'],
  [{ 'max-length': -1 }, 400, '-1 is not a valid maximum length'],
  [{ 'max-length': 1.5 }, 400, '1.5 is not a valid maximum length'],
  [{ 'max-length': '5' }, 400, '&lt;&lt;"5"&gt;&gt; is not a valid maximum length'],
  [{ 'max-length': null }, 400, 'null is not a valid maximum length'],
  [{ 'message-ttl': 'soon' }, 400, '&lt;&lt;"soon"&gt;&gt; is not a valid message TTL'],
  [{ expires: 0, 'max-length': -1 }, 400, '0 is not a valid queue expiry'],
  [{ overflow: 'bogus' }, 400, '&lt;&lt;"bogus"&gt;&gt; is not a valid overflow value'],
  [{ 'queue-mode': 'bogus' }, 400, '&lt;&lt;"bogus"&gt;&gt; is not a valid queue-mode value'],
  [{ 'dead-letter-exchange': 1 }, 400, '1 is not a valid dead letter exchange name'],
  [{ 'alternate-exchange': 1 }, 400, '1 is not a valid alternate exchange name'],
  [{ 'first-bad': 1, 'max-length': 'x' }, 400, '&lt;&lt;"x"&gt;&gt; is not a valid maximum length'],
  [{ 'b-unknown': { c: [1, null, true] }, 'a-unknown': 'x' }, 400, '[{&lt;&lt;"a-unknown"&gt;&gt;,&lt;&lt;"x"&gt;&gt;},{&lt;&lt;"b-unknown"&gt;&gt;,#{&lt;&lt;"c"&gt;&gt; =&gt; [1,null,true]}}] are not recognised policy settings'],
  [{}, 400, 'no policy provided'],
  [{ 'ha-mode': 'exactly' }, 400, 'ha-mode="exactly" takes an integer, none given'],
  [{ 'ha-mode': 'exactly', 'ha-params': 0 }, 400, 'ha-mode="exactly" takes an integer, 0 given'],
  [{ 'ha-mode': 'exactly', 'ha-params': ['a'] }, 400, 'ha-mode="exactly" takes an integer, [&lt;&lt;"a"&gt;&gt;] given'],
  [{ 'ha-mode': 'exactly', 'ha-params': 2 }, 201, ''],
  [{ 'ha-mode': 'all', 'ha-params': 2 }, 400, 'ha-mode="all" does not take parameters'],
  [{ 'ha-mode': 'nodes', 'ha-params': 2 }, 400, 'ha-mode="nodes" takes a list, 2 given'],
  [{ 'ha-mode': 'nodes', 'ha-params': [] }, 400, 'ha-mode="nodes" list must be non-empty'],
  [{ 'ha-mode': 'nodes', 'ha-params': ['a', 1] }, 400, 'ha-mode="nodes" takes a list of strings, [1] was not a string'],
  [{ 'ha-mode': 'nodes', 'ha-params': ['rabbit@x'] }, 201, ''],
  [{ 'ha-params': 2 }, 400, 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown'],
  [{ 'ha-sync-mode': 'automatic' }, 400, 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown'],
  [{ 'ha-promote-on-failure': 'always' }, 400, 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown'],
  [{ 'ha-mode': 'all', 'ha-sync-mode': 'x' }, 400, 'ha-sync-mode must be "manual" or "automatic", got &lt;&lt;"x"&gt;&gt;'],
  [{ 'ha-mode': 'all', 'ha-sync-batch-size': 0 }, 400, 'ha-sync-batch-size takes an integer greater than 0, 0 given'],
  [{ 'ha-mode': 'all', 'ha-promote-on-failure': 'never' }, 400, 'ha-promote-on-failure must be "always" or "when-synced", got &lt;&lt;"never"&gt;&gt;'],
  [{ 'ha-mode': 'sometimes', 'ha-params': 1 }, 400, '&lt;&lt;"sometimes"&gt;&gt; is not a valid ha-mode value'],
  [{ 'ha-mode': 'all', 'ha-promote-on-shutdown': 'always', 'queue-mode': 'lazy' }, 201, ''],
  [{ 'delivery-limit': 5, 'max-in-memory-length': 5, 'max-in-memory-bytes': 5, 'queue-version': 2, 'queue-master-locator': 'min-masters' }, 201, ''],
  [{ 'dead-letter-strategy': 'at-least-once', 'max-age': '7D', 'queue-leader-locator': 'balanced', 'initial-cluster-size': 3, 'stream-max-segment-size-bytes': 10 }, 201, ''],
  [{ 'queue-version': 3 }, 400, '3 is not a valid queue-version value'],
  [{ 'queue-master-locator': 'x' }, 400, '&lt;&lt;"x"&gt;&gt; invalid queue-master-locator value'],
  [{ 'delivery-limit': -1 }, 400, '-1 is not a valid delivery limit'],
  [{ 'max-in-memory-length': 'x' }, 400, '&lt;&lt;"x"&gt;&gt; is not a valid maximum memory in bytes'],
];

/** Operator policies: the resource bounds only, and the reasons not HTML-escaped. */
const OPERATOR_DEFINITIONS: [Record<string, unknown>, number, string][] = [
  [{ 'max-length': 5, expires: 1000, 'message-ttl': 1, 'max-length-bytes': 1 }, 201, ''],
  [{ 'delivery-limit': 3, 'max-in-memory-length': 2, 'max-in-memory-bytes': 2 }, 201, ''],
  [{ overflow: 'reject-publish' }, 400, '[{<<"overflow">>,<<"reject-publish">>}] are not recognised policy settings'],
  [{ 'dead-letter-exchange': 'x' }, 400, '[{<<"dead-letter-exchange">>,<<"x">>}] are not recognised policy settings'],
  [{ 'ha-mode': 'all' }, 400, '[{<<"ha-mode">>,<<"all">>}] are not recognised policy settings'],
  [{ 'queue-mode': 'lazy', 'max-length': -1 }, 400, '-1 is not a valid maximum length'],
  [{ 'max-length': 'x', zz: 1 }, 400, '<<"x">> is not a valid maximum length'],
];

/** Whole bodies (pattern, apply-to, priority problems are all named, after the definition's). */
const BODIES: [Record<string, unknown>, number, string][] = [
  [{ definition: { 'max-length': 1 } }, 400, '[{key_missing,pattern}]'],
  [{ pattern: '.' }, 400, '[{key_missing,definition}]'],
  [{ pattern: 5, definition: { 'max-length': 1 } }, 400, 'pattern should be a binary but was 5'],
  [{ pattern: '^zz-none$', definition: { 'max-length': 'x' }, priority: 'high', 'apply-to': 'bindings' }, 400, "&lt;&lt;\"x\"&gt;&gt; is not a valid maximum length\napply-to 'bindings' unrecognised; should be 'queues', 'exchanges' or 'all'\npriority should be a number, actually was &lt;&lt;\"high\"&gt;&gt;"],
  [{ pattern: '^zz-none$', definition: { 'max-length': 1 }, priority: '3' }, 400, 'priority should be a number, actually was &lt;&lt;"3"&gt;&gt;'],
  [{ pattern: '^zz-none$', definition: { 'max-length': 1 }, priority: null }, 400, 'priority should be a number, actually was null'],
  [{ pattern: '^zz-none$', definition: { 'max-length': 1 }, priority: 1.5 }, 201, ''],
];

const framed = (status: number, reason: string): string => (status === 201 || reason.startsWith('[{key_missing') ? reason : `Validation failed\n\n${reason}\n`);
const asPolicy = (definition: Record<string, unknown>) => ({ pattern: '^zz-none$', definition, 'apply-to': 'queues' });

/** Each case PUT as `name`, answered as [status, reason or ''], then deleted. */
async function answers(put: (body: Record<string, unknown>) => Promise<{ status: number; reason: unknown }>, cases: [Record<string, unknown>, number, string][]) {
  const out: [number, unknown][] = [];
  for (const [body] of cases) {
    const r = await put(body);
    out.push([r.status === 204 ? 201 : r.status, r.reason]);
  }
  return out;
}

const onWarren = (kind: PolicyKind) => async (body: Record<string, unknown>) => {
  const r = await api.put(`/api/${kind}/%2F/validated`, body);
  await api.del(`/api/${kind}/%2F/validated`);
  return { status: r.status, reason: r.status >= 400 ? r.json.reason : '' };
};
const expected = (cases: [Record<string, unknown>, number, string][]) => cases.map(([, status, reason]) => [status, framed(status, reason)]);

t.test("policy definitions: RabbitMQ's accepted keys and its reasons", async (t) => {
  t.same(await answers((d) => onWarren('policies')(asPolicy(d)), DEFINITIONS), expected(DEFINITIONS));
});

t.test('operator policy definitions: the resource bounds only, reasons not escaped', async (t) => {
  t.same(await answers((d) => onWarren('operator-policies')(asPolicy(d)), OPERATOR_DEFINITIONS), expected(OPERATOR_DEFINITIONS));
});

t.test('policy bodies: missing keys, then every problem with apply-to, pattern and priority', async (t) => {
  t.same(await answers(onWarren('policies'), BODIES), expected(BODIES));
});

/** The differential run of a table: [status, reason] per case on the broker the scenario runs on. */
function tableScenario(name: string, kind: PolicyKind, cases: [Record<string, unknown>, number, string][], wrap: (d: Record<string, unknown>) => Record<string, unknown>) {
  mgmtScenario(name, async (_env: Env, mgmt: Mgmt) =>
    answers(async (body) => {
      const r = await mgmt.policy(kind, 'validated', wrap(body));
      await mgmt.cleanup();
      return { status: r.status, reason: r.status >= 400 ? r.body : '' };
    }, cases),
  );
}
tableScenario('policy definitions: accepted keys and reasons', 'policies', DEFINITIONS, asPolicy);
tableScenario('operator policy definitions: accepted keys and reasons', 'operator-policies', OPERATOR_DEFINITIONS, asPolicy);
tableScenario('policy bodies: missing keys and the problems named', 'policies', BODIES, (b) => b);

t.test('federation keys: one of upstream, upstream-set and upstream-pattern at most', async (t) => {
  const put = onWarren('policies');
  t.same(await put(asPolicy({ 'federation-upstream': 'up' })), { status: 201, reason: '' });
  t.same(await put(asPolicy({ 'federation-upstream-pattern': '^up-' })), { status: 201, reason: '' });
  t.same(await put(asPolicy({ 'federation-upstream': 'up', 'federation-upstream-set': 'all' })), {
    status: 400,
    reason: framed(400, 'cannot specify federation-upstream, federation-upstream-set or federation-upstream-pattern together'),
  });
  t.same(await put(asPolicy({ 'federation-upstream-set': 1 })), { status: 400, reason: framed(400, '1 is not a valid federation upstream set name') });
  t.same(await put(asPolicy({ 'federation-upstream-pattern': '(' })), {
    status: 400,
    reason: framed(400, 'could not compile pattern ( to a regular expression. Error: Unterminated group'),
  });
});

/**
 * Queues `<p>-Abc`, `<p>-abc`, `<p>-x`, `<p>-xx`, three messages each, and policies `(?i)^<p>-abc$`
 * (max-length 1) and `\A<p>-x\z` (max-length 2): how many messages each queue keeps.
 */
async function patternsApplied(ch: ConfirmChannel, p: string, put: (name: string, pattern: string, maxLength: number) => Promise<number>) {
  const queues = ['Abc', 'abc', 'x', 'xx'].map((s) => `${p}-${s}`);
  for (const q of queues) {
    await ch.assertQueue(q, Q);
    for (const b of ['1', '2', '3']) ch.sendToQueue(q, Buffer.from(b));
  }
  await within(ch.waitForConfirms(), 'confirms');
  const statuses = [await put('caseless', `(?i)^${p}-abc$`, 1), await put('anchored', `\\A${p}-x\\z`, 2)];
  await settle(300);
  return [statuses, await Promise.all(queues.map(async (q) => (await ch.checkQueue(q)).messageCount))];
}

t.test('patterns are PCRE: (?i) at the start and \\A...\\z anchors apply as in RabbitMQ', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  const put = async (name: string, pattern: string, maxLength: number) => {
    t.teardown(() => api.del(`/api/policies/%2F/${name}`));
    return (await api.put(`/api/policies/%2F/${name}`, { pattern, definition: { 'max-length': maxLength }, 'apply-to': 'queues' })).status;
  };
  t.same(await patternsApplied(ch, 'pcre', put), [[201, 201], [1, 1, 2, 3]]);
  t.same(['Abc', 'abc', 'x', 'xx'].map((s) => vhostOf(node).queues.get(`pcre-${s}`)?.policy), ['caseless', 'caseless', 'anchored', null]);
});

mgmtScenario('patterns are PCRE: (?i) and \\A...\\z', async (env, mgmt) => {
  const ch = await (await env.connect()).confirmChannel();
  const put = async (name: string, pattern: string, maxLength: number) =>
    (await mgmt.policy('policies', name, { pattern, definition: { 'max-length': maxLength }, 'apply-to': 'queues' })).status;
  return patternsApplied(ch, env.name('pcre'), put);
});

t.test('a pattern JavaScript cannot express is refused with the construct named', async (t) => {
  const reason = async (pattern: string) => (await api.put('/api/policies/%2F/untranslatable', { pattern, definition: { 'max-length': 1 } })).json.reason;
  t.equal(await reason('a(?i)b'), framed(400, 'pattern cannot be used: Warren cannot translate the option setting (?i) after the start of the pattern to a JavaScript regular expression'));
  t.equal(await reason('\\Gq'), framed(400, 'pattern cannot be used: Warren cannot translate \\G to a JavaScript regular expression'));
  t.equal(await reason('(?>q)'), framed(400, 'pattern cannot be used: Warren cannot translate the group (?&gt; to a JavaScript regular expression'));
  t.equal((await api.get('/api/policies/%2F/untranslatable')).status, 404, 'nothing stored');
});

type Put = (kind: PolicyKind, name: string, definition: Record<string, unknown>, priority?: number) => Promise<unknown>;

/** A queue under a policy and an operator policy that both set max-in-memory-length and max-length. */
async function effective(ch: Channel, q: string, put: Put, show: (q: string) => Promise<unknown>) {
  await ch.assertQueue(q, Q);
  await put('policies', 'eff-user', { 'max-in-memory-length': 5, 'max-length': 10, 'queue-version': 2 });
  await put('operator-policies', 'eff-op', { 'max-in-memory-length': 3, 'max-length': 20 });
  await settle(300);
  return show(q);
}

/** The PUTs of a Warren-only test, each deleted at teardown; `pattern` is the queue name. */
const warrenPut =
  (t: Test, q: string): Put =>
  async (kind, name, definition, priority = 0) => {
    t.teardown(() => api.del(`/api/${kind}/%2F/${name}`));
    return api.put(`/api/${kind}/%2F/${name}`, { pattern: `^${q}$`, definition, priority, 'apply-to': 'queues' });
  };
const scenarioPut =
  (mgmt: Mgmt, q: string): Put =>
  (kind, name, definition, priority = 0) =>
    mgmt.policy(kind, name, { pattern: `^${q}$`, definition, priority, 'apply-to': 'queues' });

t.test('effective_policy_definition: the lower max-in-memory-length of policy and operator policy', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const show = async (q: string) => (await api.json(`/api/queues/%2F/${q}`)).effective_policy_definition;
  t.same(await effective(ch, 'eff-q', warrenPut(t, 'eff-q'), show), { 'max-in-memory-length': 3, 'max-length': 10, 'queue-version': 2 });
});

mgmtScenario('effective_policy_definition with keys a classic queue ignores', async (env, mgmt) => {
  const q = env.name('eff-q');
  const both = (r: Record<string, unknown>) => Boolean(r['policy'] && r['operator_policy']);
  return [await effective(await env.channel(), q, scenarioPut(mgmt, q), async (name) => (await mgmt.queue(name, both))['effective_policy_definition'])];
});

/**
 * A policy with a quorum-queue or stream key (delivery-limit, max-age...) does not apply to a classic
 * queue, and a lower-priority one applies instead; nor does such an operator policy. Returns how many of
 * three messages the queue keeps, under: (1) {max-length 1, delivery-limit} over {max-length 2}, then
 * (2) also an operator policy {max-length 1, max-age}.
 */
async function classicSkips(ch: ConfirmChannel, q: string, put: Put): Promise<number[]> {
  const kept = async () => {
    await ch.purgeQueue(q);
    for (const b of ['1', '2', '3']) ch.sendToQueue(q, Buffer.from(b));
    await within(ch.waitForConfirms(), 'confirms');
    return (await ch.checkQueue(q)).messageCount;
  };
  await ch.assertQueue(q, Q);
  await put('policies', 'quorum-only', { 'max-length': 1, 'delivery-limit': 5 }, 2);
  await put('policies', 'plain', { 'max-length': 2 }, 1);
  await settle(300);
  const first = await kept();
  await put('operator-policies', 'stream-only', { 'max-length': 1, 'max-age': '1D' });
  await settle(300);
  return [first, await kept()];
}

t.test('a policy with a key for quorum queues or streams does not apply to a classic queue', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  t.same(await classicSkips(ch, 'classic-skips', warrenPut(t, 'classic-skips')), [2, 2]);
  t.equal(vhostOf(node).queues.get('classic-skips')?.policy, 'plain');
});

mgmtScenario('a policy with a key for quorum queues or streams does not apply to a classic queue', async (env, mgmt) => {
  const q = env.name('classic-skips');
  return classicSkips(await (await env.connect()).confirmChannel(), q, scenarioPut(mgmt, q));
});

t.test('a stored policy that no longer validates is left out at start, not fatal', async (t) => {
  const broker = node.node.broker;
  const record = { op: 'policy', kind: 'operator-policy', vhost: '/', name: 'old-overflow', pattern: '.', applyTo: 'queues', priority: 0, definition: { overflow: 'reject-publish' } } as const;
  t.throws(() => vhostOf(node).setPolicy('operator-policy', { ...record }), PolicyError, 'refused when set');
  t.doesNotThrow(() => broker.replay([record]), 'skipped on replay');
  t.notOk(vhostOf(node).operatorPolicies.has('old-overflow'));
});
