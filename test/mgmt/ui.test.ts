/**
 * The web UI in a real browser (Debian Chromium through playwright-core) against a real node: logging
 * in (a wrong password shows the API's reason), creating a mirroring and a federation policy through
 * the form, a queue's depth changing on the Queues page while amqplib publishes (the 5 s refresh), get
 * and purge on a queue's page, an operation refused for want of permission and a page for want of a tag
 * (the session kept), what a monitoring user is shown, adding and deleting a user, closing a connection,
 * and names shown as text, never as HTML. Every result is also checked through the API.
 */
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import amqplib from 'amqplib';
import t, { type Test } from 'tap';
import { browserSkip, eventually, launchBrowser, messageBar, tableCell, tableRow, uiNode, type TestBrowser } from '../helpers/browser.js';
import { startTestNode, type TestNode } from '../helpers/node.js';

const SCREENSHOTS = { overview: '/tmp/warren-ui-overview.png', queues: '/tmp/warren-ui-queues.png' };

// a browser on a busy 2-core machine: launching it alone has taken 13 s
t.setTimeout(300_000);
if (browserSkip) t.plan(0, browserSkip);
else await main();

async function main(): Promise<void> {
  const node: TestNode = await startTestNode();
  t.teardown(() => node.close());
  const browser: TestBrowser = await launchBrowser();
  t.teardown(() => browser.close());
  const { base, api, loggedIn } = uiNode(browser, node.node.mgmt.port);
  const depth = async (q: string) => ((await api('GET', `/queues/%2F/${q}`)).json as { messages: number }).messages;

  /** An amqplib connection closed when the test `scope` ends. */
  async function amqp(scope: Test): Promise<{ conn: ChannelModel; ch: ConfirmChannel }> {
    const conn = await amqplib.connect(node.url);
    conn.on('error', () => undefined);
    scope.teardown(() => conn.close().catch(() => undefined));
    return { conn, ch: await conn.createConfirmChannel() };
  }

  t.test('login: a wrong password shows the API reason, the right one shows the overview', async (t) => {
    const page = await browser.newPage();
    t.teardown(() => page.close());
    await page.goto(base);
    await page.getByLabel('Username').fill('guest');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await messageBar(page).getByText('Login failed').waitFor();
    t.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), false, 'still logged out');
    t.equal(await page.evaluate(() => sessionStorage.getItem('warren.auth')), null, 'bad credentials are not kept');

    await page.getByLabel('Password').fill('guest');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('table', { name: 'Nodes' }).waitFor();
    t.match(await page.locator('.stat-value[aria-label="Exchanges"]').textContent(), /^\d+$/, 'object totals shown');
    t.ok(await page.evaluate(() => sessionStorage.getItem('warren.auth')), 'credentials kept in sessionStorage');
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    t.pass('a reload stays logged in');
    await page.screenshot({ path: SCREENSHOTS.overview, fullPage: true });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Username').waitFor();
    t.equal(await page.evaluate(() => sessionStorage.getItem('warren.auth')), null, 'logging out forgets the credentials');
  });

  t.test('policies: mirroring and federation policies through the form; a bad one shows the reason', async (t) => {
    const page = await loggedIn(t, '#/policies');
    const form = page.getByRole('form', { name: 'Add or update a policy' });
    await form.getByLabel('Name', { exact: true }).fill('ha-two');
    await form.getByLabel('Pattern').fill('^mirror\\.');
    await form.getByLabel('Apply to').selectOption('queues');
    await form.getByLabel('Priority').fill('1');
    // the notes' steps: ha-mode exactly, ha-params 2 (a number), ha-sync-mode automatic
    await form.getByRole('button', { name: 'ha-mode', exact: true }).click();
    await form.getByLabel('Definition value 1').fill('exactly');
    await form.getByRole('button', { name: 'ha-params', exact: true }).click();
    await form.getByLabel('Definition value 2').fill('2');
    await form.getByRole('button', { name: 'ha-sync-mode', exact: true }).click();
    await form.getByLabel('Definition value 3').fill('automatic');
    t.equal(await form.getByLabel('Definition type 2').inputValue(), 'number', 'ha-params is typed as a number');
    await form.getByRole('button', { name: 'Save policy' }).click();
    await messageBar(page).getByText("Policy 'ha-two' saved.").waitFor();
    await tableCell(page, 'Policies', 'ha-two', 'Definition').getByText('ha-params: 2').waitFor();
    const got = await api('GET', '/policies/%2F/ha-two');
    t.same(got.json, { vhost: '/', name: 'ha-two', pattern: '^mirror\\.', 'apply-to': 'queues', priority: 1, definition: { 'ha-mode': 'exactly', 'ha-params': 2, 'ha-sync-mode': 'automatic' } }, 'the API has it, typed');

    // federation: a key typed by hand picks its type; a new name makes a second policy
    await form.getByLabel('Name', { exact: true }).fill('fed');
    await form.getByLabel('Pattern').fill('^fed\\.');
    await form.getByLabel('Apply to').selectOption('all');
    await form.getByRole('button', { name: 'Remove definition row 3' }).click();
    await form.getByRole('button', { name: 'Remove definition row 2' }).click();
    await form.getByLabel('Definition key 1').fill('federation-upstream');
    await form.getByLabel('Definition value 1').fill('upstream-a');
    await form.getByRole('button', { name: 'Save policy' }).click();
    await tableRow(page, 'Policies', 'fed').waitFor();
    t.same((await api('GET', '/policies/%2F/fed')).json, { vhost: '/', name: 'fed', pattern: '^fed\\.', 'apply-to': 'all', priority: 1, definition: { 'federation-upstream': 'upstream-a' } });

    // a bad value: the API's reason in the message bar, nothing saved
    await form.getByLabel('Name', { exact: true }).fill('bad');
    await form.getByLabel('Definition key 1').fill('ha-mode');
    await form.getByLabel('Definition value 1').fill('sometimes');
    await form.getByRole('button', { name: 'Save policy' }).click();
    await messageBar(page).getByText(/is not a valid ha-mode value/).waitFor();
    t.equal((await api('GET', '/policies/%2F/bad')).status, 404, 'not created');

    // edit then delete through the list
    await tableRow(page, 'Policies', 'ha-two').getByRole('button', { name: 'Edit ha-two' }).click();
    t.equal(await form.getByLabel('Definition value 2').inputValue(), '2', 'edit loads the definition');
    await form.getByLabel('Priority').fill('5');
    await form.getByRole('button', { name: 'Save policy' }).click();
    await tableCell(page, 'Policies', 'ha-two', 'Priority').getByText('5').waitFor();
    await tableRow(page, 'Policies', 'fed').getByRole('button', { name: 'Delete fed' }).click();
    await tableRow(page, 'Policies', 'fed').waitFor({ state: 'detached' });
    t.equal((await api('GET', '/policies/%2F/fed')).status, 404, 'deleted');
  });

  t.test("queues: a queue's depth follows publishes without reloading (5 s refresh)", async (t) => {
    const { ch } = await amqp(t);
    await ch.assertQueue('ui-depth', { durable: false });
    const page = await loggedIn(t, '#/queues');
    const total = tableCell(page, 'Queues', 'ui-depth', 'Total');
    await eventually('ui-depth listed with 0', async () => (await total.textContent()) === '0');
    for (const expected of [5, 12]) {
      while ((await depth('ui-depth')) < expected) {
        ch.sendToQueue('ui-depth', Buffer.from('m'));
        await ch.waitForConfirms();
      }
      await eventually(`the Queues page to show ${expected}`, async () => (await total.textContent()) === String(expected), 12_000);
      t.pass(`shows ${expected} after publishing`);
    }
    t.equal(await tableCell(page, 'Queues', 'ui-depth', 'Ready').textContent(), '12');
    await page.screenshot({ path: SCREENSHOTS.queues, fullPage: true });
  });

  t.test('queues: add a queue with typed arguments; a refused one shows the reason', async (t) => {
    const page = await loggedIn(t, '#/queues');
    const form = page.getByRole('form', { name: 'Add a queue' });
    await form.getByLabel('Queue name').fill('ui-added');
    await form.getByLabel('Arguments key 1').fill('x-max-priority');
    await form.getByLabel('Arguments value 1').fill('5');
    await form.getByRole('button', { name: 'Add queue' }).click();
    await tableCell(page, 'Queues', 'ui-added', 'Features').getByText('Pri').waitFor();
    t.same(((await api('GET', '/queues/%2F/ui-added')).json as { arguments: unknown }).arguments, { 'x-max-priority': 5 });
    await form.getByLabel('Queue name').fill('ui-added');
    await form.getByLabel('Arguments key 1').fill('x-max-priority');
    await form.getByLabel('Arguments value 1').fill('7');
    await form.getByRole('button', { name: 'Add queue' }).click();
    await messageBar(page).getByText(/inequivalent arg 'x-max-priority'/).waitFor();
    t.pass('redeclaring with other arguments shows the API reason');
  });

  t.test("get messages from a queue's page, requeued then acknowledged", async (t) => {
    const { ch } = await amqp(t);
    await ch.assertQueue('ui-get', { durable: false });
    for (const i of [1, 2, 3]) ch.sendToQueue('ui-get', Buffer.from(`body-${i}`), { headers: { n: i }, contentType: 'text/plain' });
    await ch.waitForConfirms();
    const page = await loggedIn(t, '#/queues/%2F/ui-get');
    const form = page.getByRole('form', { name: 'Get messages' });
    await form.getByLabel('Messages').fill('2');
    await form.getByRole('button', { name: 'Get messages' }).click();
    t.equal(await page.getByLabel('Message 1 payload').textContent(), 'body-1');
    t.equal(await page.getByLabel('Message 2 payload').textContent(), 'body-2');
    await page.getByRole('table', { name: 'Message 1 properties' }).getByText('text/plain').waitFor();
    t.equal(await depth('ui-get'), 3, 'requeue mode leaves them in the queue');

    await form.getByLabel('Ack mode').selectOption('ack_requeue_false');
    await form.getByLabel('Messages').fill('1');
    await form.getByRole('button', { name: 'Get messages' }).click();
    await page.getByLabel('Message 2 payload').waitFor({ state: 'detached' });
    t.equal(await page.getByLabel('Message 1 payload').textContent(), 'body-1');
    t.equal(await depth('ui-get'), 2, 'acknowledge mode removes it');
    await tableCell(page, 'Queue details', 'Total', 'Value').getByText('2', { exact: true }).waitFor({ timeout: 12_000 });
  });

  t.test('an operation the user has no permission for shows the reason and keeps the session', async (t) => {
    await api('PUT', '/queues/%2F/ui-refused', { durable: false });
    await api('PUT', '/users/ui-limited', { password: 'ui-pw', tags: 'management' });
    await api('PUT', '/permissions/%2F/ui-limited', { configure: '^$', write: '^$', read: '^$' });
    const page = await loggedIn(t, '#/queues/%2F/ui-refused', 'ui-limited', 'ui-pw');
    await page.getByRole('form', { name: 'Get messages' }).getByRole('button', { name: 'Get messages' }).click();
    await messageBar(page).getByText("ACCESS_REFUSED - access to queue 'ui-refused' in vhost '/' refused for user 'ui-limited'").waitFor();
    t.ok(await page.getByRole('navigation', { name: 'Main' }).isVisible(), 'still logged in');
    t.ok(await page.evaluate(() => sessionStorage.getItem('warren.auth')), 'the credentials are kept');
  });

  t.test("a monitoring user: the node, no policies to edit; an administrator's page shows the reason and keeps the session", async (t) => {
    await api('PUT', '/users/ui-monitor', { password: 'ui-pw', tags: 'monitoring' });
    const page = await loggedIn(t, '', 'ui-monitor', 'ui-pw');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await page.getByRole('table', { name: 'Nodes' }).waitFor();
    t.pass('the node is shown');
    t.equal(await nav.getByRole('link', { name: 'Policies', exact: true }).count(), 0, 'no Policies page: monitoring does not include policymaker');
    await page.goto(`${base}#/users`);
    await messageBar(page).getByText('Not administrator user').waitFor();
    t.ok(await nav.isVisible(), 'still logged in');
    t.ok(await page.evaluate(() => sessionStorage.getItem('warren.auth')), 'the credentials are kept');
  });

  t.test("purge a queue from its page", async (t) => {
    const { ch } = await amqp(t);
    await ch.assertQueue('ui-purge', { durable: false });
    for (let i = 0; i < 4; i++) ch.sendToQueue('ui-purge', Buffer.from('x'));
    await ch.waitForConfirms();
    const page = await loggedIn(t, '#/queues/%2F/ui-purge');
    await tableCell(page, 'Queue details', 'Total', 'Value').getByText('4', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Purge messages' }).click();
    await messageBar(page).getByText("Queue 'ui-purge' purged.").waitFor();
    t.equal(await depth('ui-purge'), 0, 'empty');
    await tableCell(page, 'Queue details', 'Total', 'Value').getByText('0', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete queue' }).click();
    await page.getByRole('heading', { name: 'Queues', exact: true }).waitFor();
    t.equal((await api('GET', '/queues/%2F/ui-purge')).status, 404, 'deleted after the confirm');
  });

  t.test('users: add with tags, then delete', async (t) => {
    const page = await loggedIn(t, '#/users');
    const form = page.getByRole('form', { name: 'Add a user' });
    await form.getByLabel('Username').fill('ui-user');
    await form.getByLabel('Password').fill('s3cret');
    await form.getByLabel('monitoring').check();
    await form.getByLabel('policymaker').check();
    await form.getByRole('button', { name: 'Add user' }).click();
    await tableCell(page, 'Users', 'ui-user', 'Tags').getByText('monitoring').waitFor();
    t.same(((await api('GET', '/users/ui-user')).json as { tags: string[] }).tags, ['monitoring', 'policymaker'], 'the API has the tags');
    await page.getByRole('button', { name: 'Delete user ui-user' }).click();
    await tableRow(page, 'Users', 'ui-user').waitFor({ state: 'detached' });
    t.equal((await api('GET', '/users/ui-user')).status, 404, 'deleted');
  });

  t.test('connections: listed and closed from the UI', async (t) => {
    const { conn } = await amqp(t);
    const closed = new Promise<void>((r) => conn.once('close', () => r()));
    // the broker names a connection 'client address:port -> server address:port'
    const local = (conn as unknown as { connection: { stream: { localPort: number } } }).connection.stream.localPort;
    const name = `127.0.0.1:${local} -> 127.0.0.1:${node.port}`;
    const page = await loggedIn(t, '#/connections');
    await tableCell(page, 'Connections', name, 'User').getByText('guest').waitFor();
    await page.getByRole('button', { name: `Close connection ${name}`, exact: true }).click();
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('connection not closed in 5 s')), 5000))]);
    t.pass('the client saw the close');
  });

  t.test('names are shown as text, never parsed as HTML', async (t) => {
    const evil = '<img src=x onerror="window.pwned=1">';
    const { ch } = await amqp(t);
    await ch.assertQueue(evil, { durable: false });
    const page = await loggedIn(t, '#/queues');
    await page.getByRole('link', { name: evil, exact: true }).waitFor();
    t.equal(await page.locator('main img').count(), 0, 'no element made from the name');
    await page.getByRole('link', { name: evil, exact: true }).click();
    await page.getByRole('heading', { name: `Queue ${evil}` }).waitFor();
    t.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'no script ran');
  });

  t.test('no uncaught script errors on any page', async (t) => {
    const page = await loggedIn(t);
    const pages: [string, string][] = [
      ['#/connections', 'Connections'],
      ['#/channels', 'Channels'],
      ['#/exchanges', 'Exchanges'],
      ['#/exchanges/%2F/amq.direct', 'Exchange amq.direct in virtual host /'],
      ['#/exchanges/%2F/amq.default', 'Exchange (AMQP default) in virtual host /'],
      ['#/vhosts', 'Virtual hosts'],
      ['#/operator-policies', 'Operator policies'],
      ['#/upstreams', 'Federation upstreams'],
      ['#/overview', 'Overview'],
    ];
    for (const [hash, heading] of pages) {
      await page.goto(`${base}${hash}`);
      await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    }
    t.same(browser.pageErrors, [], 'none');
  });
}
