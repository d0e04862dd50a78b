/**
 * Differential: the same rabbitmqctl command lines run by the real rabbitmqctl against the local RabbitMQ
 * and by warrenctl against a Warren node, after the same setup over AMQP (a vhost with a topic exchange, a
 * bound queue holding 3 messages, a queue with a consumer). Informational lines, headers, rows (sorted:
 * neither orders them), JSON and exit codes must be the same. Skipped, with the reason, when rabbitmqctl
 * cannot run here (it needs the local node and its Erlang cookie: root).
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { RABBITMQ_URL } from '../helpers/rabbitmq.js';
import { amqp, publish } from './fixtures/api.js';
import { badDefinition, notFoundCases } from './fixtures/ctl-cases.js';
import { ctlFor, type Run } from './fixtures/ctl.js';
import { rabbitmqctl, rabbitmqctlUnavailable } from './fixtures/rabbitmqctl.js';

t.setTimeout(900_000);
const VHOST = 'ctl-diff';
const why = await rabbitmqctlUnavailable();
if (why !== null) console.log(`# skipping the rabbitmqctl comparison: ${why}`);

/** Output split where both tools agree on order: `info` leading lines and the header as they are, rows sorted. */
function shape(stdout: string, info: number, header = true): { info: string[]; header: string | undefined; rows: string[] } {
  const lines = stdout.split('\n');
  return { info: lines.slice(0, info), header: header ? lines[info] : undefined, rows: lines.slice(info + (header ? 1 : 0)).sort() };
}

t.test('warrenctl and rabbitmqctl print and exit the same', why === null ? {} : { skip: why }, async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const ctl = ctlFor(node.node.mgmt.port);
  const sides = [
    { run: rabbitmqctl, url: RABBITMQ_URL },
    { run: (args: string[]) => ctl(args), url: node.url },
  ];
  /** [rabbitmqctl's run, warrenctl's run] of one command line */
  const both = (args: string[]): Promise<Run[]> => Promise.all(sides.map((s) => s.run(args)));

  await rabbitmqctl(['delete_vhost', VHOST]); // what a failed earlier run left
  t.teardown(() => rabbitmqctl(['delete_vhost', VHOST]));
  for (const args of [['add_vhost', VHOST], ['set_permissions', '-p', VHOST, 'guest', '.*', '.*', '.*']]) {
    const [r, w] = await both(args);
    t.same(w, r, args.join(' '));
  }
  for (const side of sides) {
    const { ch } = await amqp(t, `${side.url}/${VHOST}`, 'ctl-diff');
    await ch.assertExchange('diff.x', 'topic', { durable: true, alternateExchange: 'diff.ae' });
    await ch.assertQueue('diff.q1', { durable: true, arguments: { 'x-max-length': 10 } });
    await ch.assertQueue('diff.q2', { durable: false });
    await ch.bindQueue('diff.q1', 'diff.x', 'k.#');
    await publish(ch, 'diff.x', 'k.1', ['a', 'b', 'c']);
    await ch.consume('diff.q2', () => undefined, { consumerTag: 'diff-tag' });
  }

  t.test('listings', async (t) => {
    const listings: [string[], number, boolean][] = [
      [['list_queues', '-p', VHOST, 'name', 'messages', 'consumers'], 2, true],
      [['list_queues', '-p', VHOST, 'name', 'durable', 'auto_delete', 'exclusive', 'arguments', 'messages_ready', 'messages_unacknowledged'], 2, true],
      [['-s', 'list_queues', '-p', VHOST, 'name', 'messages'], 0, false],
      [['list_exchanges', '-p', VHOST, 'name', 'type'], 1, true],
      [['list_exchanges', '-p', VHOST, 'name', 'type', 'durable', 'auto_delete', 'internal', 'arguments', 'policy'], 1, true],
      [['list_bindings', '-p', VHOST], 1, true],
      [['-q', 'list_consumers', '-p', VHOST, 'queue_name', 'consumer_tag', 'ack_required', 'prefetch_count', 'active', 'arguments'], 0, true],
    ];
    for (const [args, info, header] of listings) {
      const [r, w] = await both(args);
      t.equal(w!.code, r!.code, `${args.join(' ')}: exit code`);
      t.same(shape(w!.stdout, info, header), shape(r!.stdout, info, header), args.join(' '));
    }
    const [r, w] = await both(['list_queues', '-p', VHOST, 'name', 'messages', 'consumers']);
    t.match(shape(w!.stdout, 2).rows, ['', 'diff.q1\t3\t0', 'diff.q2\t0\t1'], 'and they list what was set up');
    t.same(shape(w!.stdout, 2).rows, shape(r!.stdout, 2).rows);

    const byName = (run: Run) => JSON.parse(run.stdout).sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
    // typed arguments only where the type survives the management API: amqplib sends 10 as a byte, the API's JSON says 10
    for (const args of [
      ['--formatter', 'json', 'list_queues', '-p', VHOST, 'name', 'messages', 'durable', 'consumers'],
      ['--formatter', 'json', 'list_exchanges', '-p', VHOST, 'name', 'type', 'arguments'],
    ]) {
      const [r, w] = await both(args);
      t.same(byName(w!), byName(r!), args.join(' '));
      t.match(w!.stdout, /^\[\n\{.*\}\n(,\{.*\}\n)+\]\n$/, "rabbitmqctl's JSON layout");
    }

    const [rv, wv] = await both(['list_vhosts', 'name']);
    t.same(shape(wv!.stdout, 1).info, shape(rv!.stdout, 1).info, 'list_vhosts: the informational line');
    t.equal(shape(wv!.stdout, 1).header, shape(rv!.stdout, 1).header, 'and the header');
    for (const run of [rv!, wv!]) t.ok(run.stdout.split('\n').includes(VHOST), 'both list the vhost');
  });

  t.test('set_policy, list_policies, clear_policy', async (t) => {
    for (const args of [
      ['set_policy', '-p', VHOST, 'diff-pol', '^diff\\.', '{"max-length":5}', '--priority', '1', '--apply-to', 'queues'],
      ['list_policies', '-p', VHOST],
      ['--formatter', 'json', 'list_policies', '-p', VHOST],
      ['clear_policy', '-p', VHOST, 'diff-pol'],
      ['list_policies', '-p', VHOST],
      ['--formatter', 'json', 'list_policies', '-p', VHOST],
    ]) {
      const [r, w] = await both(args);
      t.same(w, r, args.join(' '));
    }
  });

  t.test('exit codes and messages of what is not found', async (t) => {
    for (const c of notFoundCases(VHOST)) {
      const [r, w] = await both(c.args);
      t.same(w, r, c.args.join(' '));
      t.same(r, { code: c.code, stdout: c.stdout, stderr: c.stderr }, 'as the fixture says rabbitmqctl does');
    }
    const [r, w] = await both(badDefinition(VHOST));
    t.equal(w!.code, r!.code, 'a policy definition the node refuses');
    t.equal(w!.stderr.split('\n').slice(0, 2).join('\n'), r!.stderr.split('\n').slice(0, 2).join('\n'), 'Error:\\nValidation failed');
    const [re, we] = await both(['delete_queue', '-p', VHOST, 'diff.q1', '--if-empty']);
    t.same(we, re, 'delete_queue --if-empty on a queue with messages');
  });
});
