/**
 * What each user tag sees. The objects of a vhost the user has no permissions in are refused with 401
 * (monitoring users too; administrators see them); lists without a vhost show the vhosts the user has
 * permissions in (administrators every vhost; the vhost list every vhost for monitoring users too);
 * connections, channels and consumers are everyone's for monitoring users and administrators, others see
 * their own and are refused another user's by name. Checked against what RabbitMQ 3.10.8 answered, and
 * against a live RabbitMQ when one is reachable.
 */
import amqplib from 'amqplib';
import type { Test } from 'tap';
import { enc, eventually } from './fixtures/api.js';
import { inVhost, recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

/** The users of the scenario, one a tag, each with every permission in the scenario's vhost and none in the other. */
const ROLES = ['management', 'policymaker', 'monitoring', 'administrator'] as const;
type Role = (typeof ROLES)[number];
/** The users with a connection of their own (consuming from q) in the scenario's vhost, besides guest in both vhosts. */
const CONNECTED: readonly Role[] = ['management', 'monitoring'];
const ALL = { configure: '.*', write: '.*', read: '.*' };

/** The objects of the vhost the users have no permissions in; {o} is that vhost. */
const IN_THE_OTHER_VHOST = [
  '/api/vhosts/{o}',
  '/api/queues/{o}',
  '/api/queues/{o}/q',
  '/api/queues/{o}/missing',
  '/api/queues/{o}/q/bindings',
  '/api/exchanges/{o}',
  '/api/exchanges/{o}/x',
  '/api/exchanges/{o}/amq.default',
  '/api/exchanges/{o}/x/bindings/source',
  '/api/bindings/{o}',
  '/api/bindings/{o}/e/x/q/q',
  '/api/bindings/{o}/e/x/q/q/k',
  '/api/policies/{o}',
  '/api/vhosts/{o}/connections',
  '/api/consumers/{o}',
  '/api/aliveness-test/{o}',
];
/** Lists, of every vhost or of the scenario's ({v}). */
const LISTS = [
  '/api/vhosts',
  '/api/queues',
  '/api/exchanges',
  '/api/bindings',
  '/api/policies',
  '/api/connections',
  '/api/channels',
  '/api/consumers',
  '/api/queues/{v}',
  '/api/vhosts/{v}/connections',
  '/api/consumers/{v}',
];

type Item = Record<string, any>; // API objects, as listed
/** How a listed object is written in the observations. */
function label(o: Item): string {
  if (o['consumer_tag'] !== undefined) return `${o['consumer_tag']} on ${o['queue'].vhost}/${o['queue'].name}`;
  if (o['destination'] !== undefined) return `${o['vhost']}/${o['source']}>${o['destination']}`;
  // a connection or a channel
  if (o['user'] !== undefined) return `${o['user']}@${o['vhost']}`;
  return o['vhost'] === undefined ? o['name'] : `${o['vhost']}/${o['name']}`;
}

async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const other = `${side.vhost}-other`;
  const [v, o] = [enc(side.vhost), enc(other)];
  const name = (role: Role) => `${role}-${side.vhost}`;
  await api.ok('PUT', `/api/vhosts/${o}`, {});
  t.teardown(async () => void (await api.del(`/api/vhosts/${o}`)));
  await api.ok('PUT', `/api/permissions/${o}/guest`, ALL);
  for (const role of ROLES) {
    await api.ok('PUT', `/api/users/${enc(name(role))}`, { password: 'pw', tags: role });
    t.teardown(async () => void (await api.del(`/api/users/${enc(name(role))}`)));
    await api.ok('PUT', `/api/permissions/${v}/${enc(name(role))}`, ALL);
  }
  for (const vhost of [v, o]) {
    await api.ok('PUT', `/api/queues/${vhost}/q`, { durable: false });
    await api.ok('PUT', `/api/exchanges/${vhost}/x`, { type: 'direct', durable: false });
    await api.ok('POST', `/api/bindings/${vhost}/e/x/q/q`, { routing_key: 'k' });
    await api.ok('PUT', `/api/policies/${vhost}/p`, { pattern: '^none$', definition: { 'max-length': 1 } });
  }
  const clients: [string, string, string][] = [['guest', 'guest', side.vhost], ['guest', 'guest', other], ...CONNECTED.map((role): [string, string, string] => [name(role), 'pw', side.vhost])];
  for (const [user, password, vhost] of clients) {
    const conn = await amqplib.connect(inVhost(side.amqpUrl, vhost, { user, password }));
    conn.on('error', () => undefined);
    t.teardown(() => conn.close().catch(() => undefined));
    await (await conn.createChannel()).consume('q', () => undefined, { consumerTag: `${user}-consumer` });
  }

  /** The scenario's objects of a list (not the predeclared exchanges), as labels in order. */
  const ours = (list: Item[]): string[] =>
    list
      .filter((x) => x['name'] !== '' && !String(x['name']).startsWith('amq.'))
      .map(label)
      .filter((l) => l.includes(side.vhost))
      .sort();
  // RabbitMQ lists clients once its statistics have caught up
  await eventually('every client to be listed', async () => {
    for (const path of ['/api/connections', '/api/channels', '/api/consumers']) if (ours(await api.json(path)).length < clients.length) return false;
    return true;
  });
  const guestsIn = async (path: string, vhost: string): Promise<string> => enc((await api.json(path)).find((x: Item) => x['user'] === 'guest' && x['vhost'] === vhost).name);
  const guestConnection = await guestsIn('/api/connections', side.vhost);
  const guestChannel = await guestsIn('/api/channels', side.vhost);
  const ownConnection = enc((await api.json('/api/connections')).find((x: Item) => x['user'] === name('management')).name);

  /** A refusal or a missing object as `${status} ${body}`; a list as the scenario's objects in it; any other 200 as '200'. */
  const look = async (role: Role, method: string, path: string): Promise<string> => {
    const r = await api.call(method, path.replaceAll('{v}', v).replaceAll('{o}', o), undefined, { as: `${name(role)}:pw` });
    if (r.status !== 200) return `${r.status} ${r.text}`;
    return Array.isArray(r.json) ? ours(r.json).join(', ') : '200';
  };
  const each = async (role: Role, paths: readonly string[], method = 'GET'): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const path of paths) out[path] = await look(role, method, path);
    return out;
  };
  const observed: Observations = {};
  for (const role of ROLES) {
    observed[role] = {
      'in a vhost without permissions': await each(role, IN_THE_OTHER_VHOST),
      lists: await each(role, LISTS),
      "guest's connection": {
        ...(await each(role, [`/api/connections/${guestConnection}`, `/api/connections/${guestConnection}/channels`, `/api/channels/${guestChannel}`])),
        // not as the administrator, who may close it
        ...(role === 'administrator' ? {} : { close: await look(role, 'DELETE', `/api/connections/${guestConnection}`) }),
      },
      "the management user's connection": await look(role, 'GET', `/api/connections/${ownConnection}`),
    };
  }
  observed['the management user closes its own connection'] = await look('management', 'DELETE', `/api/connections/${ownConnection}`);
  // the connection names are the brokers' own (a channel's begins with its connection's)
  return JSON.parse(JSON.stringify(observed).replaceAll(guestChannel, '{guest channel}').replaceAll(guestConnection, '{guest}').replaceAll(ownConnection, '{own}'));
}

const refused = (reason: string) => `401 {"error":"not_authorised","reason":"${reason}"}`;
const notInVhost = refused('User not authorised to access virtual host');
const notTheirs = refused('User not authorised to access object');
/** The vhost's objects refused to a user without permissions there; consumers are listed, but only the user's own. */
const theOtherVhostRefused = (consumers: string) => ({
  ...Object.fromEntries(IN_THE_OTHER_VHOST.map((path) => [path, notInVhost])),
  '/api/vhosts/{o}': refused('Not administrator user'),
  '/api/consumers/{o}': consumers,
});
/** The scenario's vhost's objects, all a user without the administrator tag sees in the lists of objects. */
const ownVhostLists = {
  '/api/queues': '{vhost}/q',
  '/api/exchanges': '{vhost}/x',
  '/api/bindings': '{vhost}/>q, {vhost}/x>q',
  '/api/policies': '{vhost}/p',
  '/api/queues/{v}': '{vhost}/q',
};
/** Every client: what monitoring users and administrators see. */
const everyClient = {
  '/api/connections': 'guest@{vhost}, guest@{vhost}-other, management-{vhost}@{vhost}, monitoring-{vhost}@{vhost}',
  '/api/channels': 'guest@{vhost}, guest@{vhost}-other, management-{vhost}@{vhost}, monitoring-{vhost}@{vhost}',
  '/api/consumers': 'guest-consumer on {vhost}-other/q, guest-consumer on {vhost}/q, management-{vhost}-consumer on {vhost}/q, monitoring-{vhost}-consumer on {vhost}/q',
  '/api/vhosts/{v}/connections': 'guest@{vhost}, management-{vhost}@{vhost}, monitoring-{vhost}@{vhost}',
  '/api/consumers/{v}': 'guest-consumer on {vhost}/q, management-{vhost}-consumer on {vhost}/q, monitoring-{vhost}-consumer on {vhost}/q',
};
/** A user's own clients (`client` its connection and channel, `consumer` its consumer). */
const ownClients = (client: string, consumer: string) => ({
  '/api/connections': client,
  '/api/channels': client,
  '/api/consumers': consumer,
  '/api/vhosts/{v}/connections': client,
  '/api/consumers/{v}': consumer,
});
const guestsConnection = (seen: boolean) => ({
  '/api/connections/{guest}': seen ? '200' : notTheirs,
  '/api/connections/{guest}/channels': seen ? 'guest@{vhost}' : notTheirs,
  '/api/channels/{guest channel}': seen ? '200' : notTheirs,
});

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  management: {
    'in a vhost without permissions': theOtherVhostRefused(''),
    lists: { '/api/vhosts': '{vhost}', ...ownVhostLists, ...ownClients('management-{vhost}@{vhost}', 'management-{vhost}-consumer on {vhost}/q') },
    "guest's connection": { ...guestsConnection(false), close: notTheirs },
    "the management user's connection": '200',
  },
  policymaker: {
    'in a vhost without permissions': theOtherVhostRefused(''),
    lists: { '/api/vhosts': '{vhost}', ...ownVhostLists, ...ownClients('', '') },
    "guest's connection": { ...guestsConnection(false), close: notTheirs },
    "the management user's connection": notTheirs,
  },
  monitoring: {
    'in a vhost without permissions': theOtherVhostRefused('guest-consumer on {vhost}-other/q'),
    lists: { '/api/vhosts': '{vhost}, {vhost}-other', ...ownVhostLists, ...everyClient },
    "guest's connection": { ...guestsConnection(true), close: notTheirs },
    "the management user's connection": '200',
  },
  administrator: {
    'in a vhost without permissions': {
      '/api/vhosts/{o}': '200',
      '/api/queues/{o}': '{vhost}-other/q',
      '/api/queues/{o}/q': '200',
      '/api/queues/{o}/missing': '404 {"error":"Object Not Found","reason":"Not Found"}',
      '/api/queues/{o}/q/bindings': '{vhost}-other/>q, {vhost}-other/x>q',
      '/api/exchanges/{o}': '{vhost}-other/x',
      '/api/exchanges/{o}/x': '200',
      '/api/exchanges/{o}/amq.default': '200',
      '/api/exchanges/{o}/x/bindings/source': '{vhost}-other/x>q',
      '/api/bindings/{o}': '{vhost}-other/>q, {vhost}-other/x>q',
      '/api/bindings/{o}/e/x/q/q': '{vhost}-other/x>q',
      '/api/bindings/{o}/e/x/q/q/k': '200',
      '/api/policies/{o}': '{vhost}-other/p',
      '/api/vhosts/{o}/connections': 'guest@{vhost}-other',
      '/api/consumers/{o}': 'guest-consumer on {vhost}-other/q',
      // it runs as the user, who has no permissions there
      '/api/aliveness-test/{o}': refused('Access refused.'),
    },
    lists: {
      '/api/vhosts': '{vhost}, {vhost}-other',
      '/api/queues': '{vhost}-other/q, {vhost}/q',
      '/api/exchanges': '{vhost}-other/x, {vhost}/x',
      '/api/bindings': '{vhost}-other/>q, {vhost}-other/x>q, {vhost}/>q, {vhost}/x>q',
      '/api/policies': '{vhost}-other/p, {vhost}/p',
      '/api/queues/{v}': '{vhost}/q',
      ...everyClient,
    },
    "guest's connection": guestsConnection(true),
    "the management user's connection": '200',
  },
  'the management user closes its own connection': '204 ',
};

await recordedTest('what each user tag sees', 'warren-visibility', RECORDED, scenario);
