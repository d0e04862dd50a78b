/**
 * k8s/ (one Warren node) without a cluster: the manifests parse and agree with each other, with the
 * Dockerfile and with the node's defaults; and the container's command, with the ConfigMap's file and
 * the Secret's user, runs here (in a fresh network namespace, where the default ports are its own, with a
 * temp data folder) and passes its probes as the kubelet would make them.
 */
import { join } from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { NODE_SCHEMA } from '../../node/config.js';
import { ROOT, tempDataDir } from '../helpers/node.js';
import { netnsFor } from '../tutorials/netns.js';
import { childEnv } from '../tutorials/proc.js';
import { dockerfile, find, K8S, loadManifests, portOf, render, type Service, type StatefulSet } from './manifests.js';
import { checkOf, passesWithin, probe } from './probes.js';

const objects = loadManifests(K8S);
const sts = find<StatefulSet>(objects, 'StatefulSet', 'warren');
const pod = sts.spec.template.spec;
const container = pod.containers[0]!;
const configMap = find(objects, 'ConfigMap', 'warren-config');
const mountOf = (volume: string): string => container.volumeMounts.find((m) => m.name === volume)!.mountPath;

t.test('every document is a Kubernetes object', async (t) => {
  for (const o of objects) t.ok(o.apiVersion && o.kind && o.metadata?.name, `${o.kind} ${o.metadata?.name}`);
  t.same(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['ConfigMap/warren-config', 'Secret/warren-default-user', 'Service/warren', 'Service/warren-nodes', 'StatefulSet/warren']);
});

t.test('the StatefulSet, its Services and volumes fit together', async (t) => {
  t.equal(sts.spec.replicas, 1, 'one node: no clustering yet');
  t.same(sts.spec.selector.matchLabels, sts.spec.template.metadata.labels);
  t.equal(find<Service>(objects, 'Service', sts.spec.serviceName).spec.clusterIP, 'None', 'the governing Service is headless');
  for (const name of ['warren', 'warren-nodes']) {
    const svc = find<Service>(objects, 'Service', name);
    t.match(sts.spec.template.metadata.labels, svc.spec.selector, `${name} selects the pod`);
    for (const p of svc.spec.ports) t.equal(portOf(container, p.targetPort), p.port, `${name} ${p.name} goes to the container's port`);
  }
  t.same(sts.spec.volumeClaimTemplates?.map((v) => v.metadata.name), ['data']);
  const config = parseYaml(configMap.data!['warren.yaml']!) as Record<string, unknown>;
  t.ok(String(config['data-dir']).startsWith(`${mountOf('data')}/`), 'the data folder is on the claim');
  t.equal(container.args?.[1], join(mountOf('config'), 'warren.yaml'), '--config names the mounted ConfigMap file');
});

t.test("ports and probes are the node's defaults", async (t) => {
  t.equal(portOf(container, 'amqp'), NODE_SCHEMA.amqpPort.default);
  t.equal(portOf(container, 'management'), NODE_SCHEMA.mgmtPort.default);
  const config = parseYaml(configMap.data!['warren.yaml']!) as Record<string, unknown>;
  t.notOk('amqp-port' in config || 'mgmt-port' in config, 'the file leaves the ports at their defaults');
});

t.test('the image: the Dockerfile runs the same command as the same user', async (t) => {
  const d = dockerfile();
  t.same(d.from, ['node:20-slim', 'node:20-slim']);
  t.same(d.cmd, container.command);
  t.equal(d.user, `${pod.securityContext!.runAsUser}:${pod.securityContext!.runAsUser}`);
});

t.test('the default user is not one that may only log in from loopback', async (t) => {
  const root = tempDataDir();
  t.teardown(root.remove);
  const user = render(objects, pod, container, root.dir).env['WARREN_DEFAULT_USER'];
  t.ok(user);
  t.notOk(NODE_SCHEMA.loopbackUsers.default.includes(user!), `${user} may log in over the network`);
});

const { ns, skip } = await netnsFor(t, "running the container's command");

t.test("the container's command starts a node that passes its probes", { skip }, async (t) => {
  const opened = ns!;
  const root = tempDataDir();
  t.teardown(root.remove);
  const pod0 = render(objects, pod, container, root.dir);
  // the one change: the data folder (the claim's path is not this machine's to write)
  const env = childEnv({ ...pod0.env, WARREN_DATA_DIR: join(root.dir, 'data') });
  const node = opened.spawn(pod0.argv, { cwd: ROOT, env }); // the image's WORKDIR holds what the repository does
  t.teardown(() => node.stop('SIGKILL'));
  const startup = container.startupProbe!;
  const startupMs = startup.periodSeconds! * startup.failureThreshold! * 1000;
  t.ok(await passesWithin(opened, checkOf(container, startup), startupMs), 'startup probe', { output: node.stderr() });
  for (const [name, p] of [['readiness', container.readinessProbe!], ['liveness', container.livenessProbe!]] as const) {
    const result = await probe(opened, checkOf(container, p));
    t.ok(result.ok, `${name} probe: ${result.seen}`);
  }
  const { WARREN_DEFAULT_USER: user, WARREN_DEFAULT_PASS: pass } = pod0.env;
  const whoami = await probe(opened, { port: portOf(container, 'management'), path: '/api/whoami', headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } });
  t.ok(whoami.ok, `the Secret's user logs in to the management API: ${whoami.seen}`);
  t.equal(await node.stop('SIGTERM', pod.terminationGracePeriodSeconds! * 1000), 0, 'SIGTERM: a clean exit within the grace period');
});
