/**
 * More of the web UI in a real browser against a real node (ui.test.ts has the rest): an exchange made
 * from the UI and a message published from its page; bindings added and removed from a queue's page
 * and an exchange's; publishing from a queue's page; a vhost added and deleted; a user's permissions
 * set and cleared; a connection's page with its channels and a channel's page while amqplib is
 * connected, and closing the connection from its page (the client gets the reason); non-zero message
 * rates on the overview and a queue's page while amqplib publishes. Every result is checked through
 * the API.
 */
import type { Channel, ChannelModel } from 'amqplib';
import amqplib from 'amqplib';
import t, { type Test } from 'tap';
import { browserSkip, eventually, launchBrowser, messageBar, tableCell, tableRow, uiNode } from '../helpers/browser.js';
import { startTestNode } from '../helpers/node.js';
import { sleep } from '../helpers/wait.js';

/** How long a rate may take to show: the 5 s sampling window and the UI's 5 s refresh, with slack. */
const RATE_WAIT_MS = 15_000;

t.setTimeout(300_000);
if (browserSkip) t.plan(0, browserSkip);
else await main();

/** amqplib has no tx API: tx.select (class 90, method 10) through its channel's rpc, answered by tx.select-ok (90.11). */
const txSelect = (ch: Channel) => (ch as unknown as { rpc(method: number, fields: object, expect: number): Promise<unknown> }).rpc((90 << 16) | 10, {}, (90 << 16) | 11);

interface Binding {
  source: string;
  destination: string;
  routing_key: string;
}

async function main(): Promise<void> {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const { api, base, loggedIn } = uiNode(browser, node.node.mgmt.port);
  const depth = async (q: string) => ((await api('GET', `/queues/%2F/${q}`)).json as { messages: number }).messages;
  const bindingsOf = async (q: string) => ((await api('GET', `/queues/%2F/${q}/bindings`)).json as Binding[]).filter((b) => b.source !== '');

  /** An amqplib connection, closed when `scope` ends. */
  async function amqp(scope: Test, name?: string): Promise<ChannelModel> {
    const conn = await amqplib.connect(node.url, name ? { clientProperties: { connection_name: name } } : {});
    conn.on('error', () => undefined);
    scope.teardown(() => conn.close().catch(() => undefined));
    return conn;
  }

  t.test("exchanges: add one from the UI, bind a queue and publish from its page, then unbind", async (t) => {
    await api('PUT', '/queues/%2F/ui-xq', { durable: false });
    const page = await loggedIn(t, '#/exchanges');
    const add = page.getByRole('form', { name: 'Add an exchange' });
    await add.getByLabel('Exchange name').fill('ui-x');
    await add.getByLabel('Type', { exact: true }).selectOption('topic');
    await add.getByLabel('Durability').selectOption('false');
    await add.getByRole('button', { name: 'Add exchange' }).click();
    await tableCell(page, 'Exchanges', 'ui-x', 'Type').getByText('topic').waitFor();
    t.match((await api('GET', '/exchanges/%2F/ui-x')).json, { name: 'ui-x', type: 'topic', durable: false }, 'the API has it');

    await page.getByRole('link', { name: 'ui-x', exact: true }).click();
    await page.getByRole('heading', { name: 'Exchange ui-x in virtual host /' }).waitFor();
    const bind = page.getByRole('form', { name: 'Add a binding from this exchange' });
    await bind.getByLabel('Destination name').fill('ui-xq');
    await bind.getByLabel('Routing key').fill('ui.*');
    await bind.getByRole('button', { name: 'Bind', exact: true }).click();
    await tableCell(page, 'Bindings from this exchange', 'ui-xq', 'Routing key').getByText('ui.*').waitFor();
    t.match(await bindingsOf('ui-xq'), [{ source: 'ui-x', destination: 'ui-xq', routing_key: 'ui.*' }], 'bound');

    const publish = page.getByRole('form', { name: 'Publish message' });
    await publish.getByLabel('Routing key').fill('ui.one');
    await publish.getByLabel('Headers key 1').fill('origin');
    await publish.getByLabel('Headers value 1').fill('browser');
    await publish.getByLabel('Payload', { exact: true }).fill('hello from the UI');
    await publish.getByRole('button', { name: 'Publish message' }).click();
    await messageBar(page).getByText('Message published.').waitFor();
    const got = (await api('POST', '/queues/%2F/ui-xq/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' })).json;
    t.match(got, [{ exchange: 'ui-x', routing_key: 'ui.one', payload: 'hello from the UI', properties: { headers: { origin: 'browser' } } }], 'the queue got it');

    await publish.getByLabel('Routing key').fill('other');
    await publish.getByRole('button', { name: 'Publish message' }).click();
    await messageBar(page).getByText('Message published, but not routed.').waitFor();
    t.equal(await depth('ui-xq'), 0, 'an unroutable message is not queued');

    await page.getByRole('button', { name: 'Unbind ui-x to ui-xq with key ui.*' }).click();
    await tableRow(page, 'Bindings from this exchange', 'ui-xq').waitFor({ state: 'detached' });
    t.same(await bindingsOf('ui-xq'), [], 'unbound');
  });

  t.test("a queue's page: bind to an exchange, publish through the default exchange, unbind", async (t) => {
    await api('PUT', '/queues/%2F/ui-bq', { durable: false });
    const page = await loggedIn(t, '#/queues/%2F/ui-bq');
    const bind = page.getByRole('form', { name: 'Add a binding to this queue' });
    await bind.getByLabel('From exchange').fill('amq.direct');
    await bind.getByLabel('Routing key').fill('ui-key');
    await bind.getByRole('button', { name: 'Bind', exact: true }).click();
    await tableCell(page, 'Bindings', 'amq.direct', 'Routing key').getByText('ui-key').waitFor();
    t.match(await bindingsOf('ui-bq'), [{ source: 'amq.direct', routing_key: 'ui-key' }], 'bound');

    const publish = page.getByRole('form', { name: 'Publish message' });
    await publish.getByLabel('Payload', { exact: true }).fill('to the queue');
    await publish.getByRole('button', { name: 'Publish message' }).click();
    await messageBar(page).getByText('Message published.').waitFor();
    t.equal(await depth('ui-bq'), 1, 'routed by the queue name');

    await page.getByRole('button', { name: 'Unbind from amq.direct with key ui-key' }).click();
    await tableRow(page, 'Bindings', 'amq.direct').waitFor({ state: 'detached' });
    t.same(await bindingsOf('ui-bq'), [], 'unbound');
  });

  t.test('vhosts: add one, then delete it', async (t) => {
    const page = await loggedIn(t, '#/vhosts');
    const add = page.getByRole('form', { name: 'Add a virtual host' });
    await add.getByLabel('Virtual host name').fill('ui-vhost');
    await add.getByRole('button', { name: 'Add virtual host' }).click();
    await tableRow(page, 'Virtual hosts', 'ui-vhost').waitFor();
    t.equal((await api('GET', '/vhosts/ui-vhost')).status, 200, 'the API has it');
    await page.getByRole('button', { name: 'Delete virtual host ui-vhost' }).click();
    await tableRow(page, 'Virtual hosts', 'ui-vhost').waitFor({ state: 'detached' });
    t.equal((await api('GET', '/vhosts/ui-vhost')).status, 404, 'deleted');
  });

  t.test("users: set a user's permissions, then clear them", async (t) => {
    await api('PUT', '/users/ui-perm', { password: 'ui-pw', tags: '' });
    const page = await loggedIn(t, '#/users');
    const set = page.getByRole('form', { name: 'Set permissions' });
    await set.getByLabel('User').fill('ui-perm');
    await set.getByLabel('Configure regexp').fill('^ui-');
    await set.getByLabel('Read regexp').fill('^$');
    await set.getByRole('button', { name: 'Set permissions' }).click();
    await tableCell(page, 'Permissions', 'ui-perm', 'Configure').getByText('^ui-').waitFor();
    t.same((await api('GET', '/permissions/%2F/ui-perm')).json, { user: 'ui-perm', vhost: '/', configure: '^ui-', write: '.*', read: '^$' }, 'the API has them');
    await page.getByRole('button', { name: 'Clear permissions of ui-perm in /' }).click();
    await tableRow(page, 'Permissions', 'ui-perm').waitFor({ state: 'detached' });
    t.equal((await api('GET', '/permissions/%2F/ui-perm')).status, 404, 'cleared');
  });

  t.test("a connection's page: its channels, a channel's page, and closing it with a reason", async (t) => {
    const conn = await amqp(t, 'ui-conn-page');
    const closed = new Promise<Error | undefined>((r) => conn.once('close', r));
    await conn.createConfirmChannel();
    const ch = await conn.createChannel();
    await ch.assertQueue('ui-conn-q', { durable: false });
    await ch.prefetch(7);
    for (const n of [1, 2]) ch.sendToQueue('ui-conn-q', Buffer.from(`m${n}`));
    let delivered = 0;
    await ch.consume('ui-conn-q', () => void delivered++, { consumerTag: 'ui-tag' });
    await eventually('both messages delivered, unacked', async () => delivered === 2);
    await txSelect(await conn.createChannel());
    const listed = (await api('GET', '/connections')).json as { name: string; user_provided_name?: string }[];
    const name = listed.find((c) => c.user_provided_name === 'ui-conn-page')!.name;

    const page = await loggedIn(t, '#/connections');
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name: `Connection ${name}` }).waitFor();
    t.equal(await tableCell(page, 'Connection details', 'User', 'Value').textContent(), 'guest');
    t.equal(await tableCell(page, 'Connection details', 'Client-provided name', 'Value').textContent(), 'ui-conn-page');
    await tableRow(page, 'Client properties', 'capabilities').waitFor();
    t.equal(await tableCell(page, 'Channels', `${name} (1)`, 'Mode').textContent(), 'C', 'the confirm channel is marked');
    t.equal(await tableCell(page, 'Channels', `${name} (3)`, 'Mode').textContent(), 'T', 'the transactional one too');
    const second = `${name} (2)`;
    t.equal(await tableCell(page, 'Channels', second, 'Prefetch').textContent(), '7');
    t.equal(await tableCell(page, 'Channels', second, 'Unacked').textContent(), '2');
    t.equal(await tableCell(page, 'Channels', second, 'Consumers').textContent(), '1');

    await page.getByRole('link', { name: second, exact: true }).click();
    await page.getByRole('heading', { name: `Channel ${second}` }).waitFor();
    t.equal(await tableCell(page, 'Channel details', 'Prefetch (each consumer)', 'Value').textContent(), '7');
    t.equal(await tableCell(page, 'Channel details', 'Unacked', 'Value').textContent(), '2');
    t.equal(await tableCell(page, 'Consumers', 'ui-conn-q', 'Consumer tag').textContent(), 'ui-tag', 'its consumer, with the queue');
    await page.getByRole('link', { name, exact: true }).click();

    const close = page.getByRole('form', { name: 'Close this connection' });
    await close.getByLabel('Reason').fill('closed by the UI test');
    await close.getByRole('button', { name: 'Close connection' }).click();
    const err = await Promise.race([closed, sleep(10_000).then(() => Promise.reject(new Error('connection not closed in 10 s')))]);
    t.match(err?.message, /CONNECTION_FORCED - closed by the UI test/, 'the client got the close, with the reason');
    await page.getByRole('heading', { name: 'Connections', exact: true }).waitFor();
    await messageBar(page).getByText(`Connection ${name} closed.`).waitFor();
    t.equal((await api('GET', `/connections/${encodeURIComponent(name)}`)).status, 404, 'gone');
  });

  t.test('message rates on the overview and a queue page while amqplib publishes', async (t) => {
    const conn = await amqp(t);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('ui-rate', { durable: false });
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        ch.sendToQueue('ui-rate', Buffer.from('r'));
        await ch.waitForConfirms();
        await sleep(20);
      }
    })().catch(() => undefined);
    t.teardown(async () => {
      publishing = false;
      await publisher;
    });
    const nonZero = (text: string | null) => text !== null && /^\d/.test(text) && parseFloat(text) > 0;
    const page = await loggedIn(t, '#/overview');
    const overviewRate = page.locator('.stat-value[aria-label="Publish"]');
    await eventually('a non-zero publish rate on the overview', async () => nonZero(await overviewRate.textContent()), RATE_WAIT_MS);
    t.pass(`overview publish rate ${await overviewRate.textContent()}`);
    await page.goto(`${base}#/queues/%2F/ui-rate`);
    const incoming = tableCell(page, 'Queue details', 'Incoming', 'Value');
    await eventually("a non-zero incoming rate on the queue's page", async () => nonZero(await incoming.textContent()), RATE_WAIT_MS);
    t.pass(`queue incoming rate ${await incoming.textContent()}`);
  });

  t.test('no uncaught script errors on any of these pages', async (t) => {
    t.same(browser.pageErrors, [], 'none');
  });
}
