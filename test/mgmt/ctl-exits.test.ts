/**
 * warrenctl's exit codes and messages for what is not found or already exists are rabbitmqctl 3.10.8's
 * (fixtures/ctl-cases.ts; ctl-rabbitmq.test.ts runs them against rabbitmqctl too): the built binary
 * against a node, stdout, stderr and the code compared whole.
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { Api } from './fixtures/api.js';
import { badDefinition, notFoundCases } from './fixtures/ctl-cases.js';
import { ctlFor } from './fixtures/ctl.js';

t.setTimeout(300_000);
const node = await startTestNode();
t.teardown(() => node.close());
const ctl = ctlFor(node.node.mgmt.port);
await new Api(`http://127.0.0.1:${node.node.mgmt.port}`).ok('PUT', '/api/vhosts/exits-v', {});

t.test('not found and already exists', async (t) => {
  for (const c of notFoundCases('exits-v')) t.same(await ctl(c.args), { code: c.code, stdout: c.stdout, stderr: c.stderr }, c.args.join(' '));
});

t.test('a policy definition the node refuses', async (t) => {
  const r = await ctl(badDefinition('exits-v'));
  t.equal(r.code, 69);
  t.match(r.stderr, /^Error:\nValidation failed\n\n.*max-lenght/);
  const escaped = await ctl(['set_policy', '-p', 'exits-v', 'bad', '.', '{"max-length":"abc"}']);
  t.match(escaped.stderr, /^Error:\nValidation failed\n\n<<"abc">> is not a valid maximum length\n/, "the reason as rabbitmqctl prints it, not the API's HTML-escaped form");
});
