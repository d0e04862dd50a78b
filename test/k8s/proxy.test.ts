/**
 * k8s/proxy/ (warren-proxy in kubernetes VIP mode) without a cluster: the manifests agree with each other
 * and with what the proxy's configuration says; the proxy accepts the ConfigMap's file; and the
 * container's command, alone in a fresh network namespace, becomes active and passes its probes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { resolveProxyConfig } from '../../proxy/config.js';
import { ROOT, tempDataDir } from '../helpers/node.js';
import { run } from '../node/config/warren.js';
import { netnsFor } from '../tutorials/netns.js';
import { childEnv } from '../tutorials/proc.js';
import { find, K8S, loadManifests, portOf, render, type Service, type StatefulSet } from './manifests.js';
import { checkOf, passesWithin, probe } from './probes.js';

const objects = loadManifests(join(K8S, 'proxy'));
const sts = find<StatefulSet>(objects, 'StatefulSet', 'warren-proxy');
const pod = sts.spec.template.spec;
const container = pod.containers[0]!;
const temp = tempDataDir();
t.teardown(temp.remove);
const rendered = render(objects, pod, container, temp.dir);
const configPath = container.args![1]!;
const config = resolveProxyConfig({ file: parseYaml(readFileSync(rendered.local(configPath), 'utf8')) as Record<string, unknown>, env: rendered.env, flags: {} });

t.test('the proxy accepts the ConfigMap file with the container environment', async (t) => {
  const check = run(t, ['--check-config'], rendered.env, { command: rendered.argv });
  t.equal(await check.exited, 0, check.stderr());
  t.match(check.stdout(), /configuration is valid/);
});

t.test('kubernetes mode: adverts reach each pod by its own DNS name', async (t) => {
  t.equal(config.vip.mode, 'kubernetes');
  const peers = find<Service>(objects, 'Service', sts.spec.serviceName);
  t.equal(peers.spec.clusterIP, 'None', 'headless');
  t.equal(peers.spec.publishNotReadyAddresses, true, 'the standby, never ready, is still in DNS');
  const adverts = peers.spec.ports.find((p) => p.name === 'adverts')!;
  t.equal(adverts.protocol, 'UDP');
  t.equal(portOf(container, adverts.targetPort), config.vip.bind.port, 'the advert port the proxy binds');
  const names = Array.from({ length: sts.spec.replicas }, (_, i) => `${sts.metadata.name}-${i}.${peers.metadata.name}:${config.vip.bind.port}`);
  t.same(
    config.vip.peers.map((p) => `${p.host}:${p.port}`),
    names,
    'one peer per replica',
  );
});

t.test('the client Service reaches the frontend, and the probes the stats server', async (t) => {
  const client = find<Service>(objects, 'Service', 'warren-proxy');
  t.match(sts.spec.template.metadata.labels, client.spec.selector);
  t.same(
    config.frontends.flatMap((f) => f.listen.map((l) => l.port)),
    [portOf(container, client.spec.ports[0]!.targetPort)],
  );
  t.equal(config.stats?.host, '0.0.0.0', 'reachable by the kubelet');
  t.equal(config.statsAdmin, false, 'no unauthenticated admin actions');
  t.equal(checkOf(container, container.readinessProbe!).port, config.stats?.port);
  t.equal(checkOf(container, container.readinessProbe!).path, '/healthz', 'ready = active');
});

t.test("the backend is the node's Service", async (t) => {
  const node = find<Service>(loadManifests(K8S), 'Service', 'warren');
  const backends = config.pools.flatMap((p) => p.backends.map((b) => `${b.host}:${b.port}`));
  t.same(backends, [`${node.metadata.name}:${node.spec.ports.find((p) => p.name === 'amqp')!.port}`]);
});

const { ns, skip } = await netnsFor(t, "running the container's command");

t.test("alone, the container's command becomes active and passes both probes", { skip }, async (t) => {
  const opened = ns!;
  const proxy = opened.spawn(rendered.argv, { cwd: ROOT, env: childEnv(rendered.env) });
  t.teardown(() => proxy.stop('SIGKILL'));
  // no peer answers (their names do not resolve here): it takes over after dead-after adverts
  const takeoverMs = 2 * config.vip.deadAfter * config.vip.advertInterval + 30_000;
  t.ok(await passesWithin(opened, checkOf(container, container.readinessProbe!), takeoverMs), 'readiness: active', { output: proxy.stdout() });
  const liveness = await probe(opened, checkOf(container, container.livenessProbe!));
  t.ok(liveness.ok, `liveness: ${liveness.seen}`);
  t.equal(await proxy.stop('SIGTERM', pod.terminationGracePeriodSeconds! * 1000), 0, 'SIGTERM: a clean exit within the grace period');
});
