/** Probing a container's command running in a network namespace, with kubelet-probe.js run there too. */
import { join } from 'node:path';
import { ROOT } from '../helpers/node.js';
import { sleep } from '../helpers/wait.js';
import type { Netns } from '../tutorials/netns.js';
import { childEnv } from '../tutorials/proc.js';
import { portOf, type Container, type Probe } from './manifests.js';

const RUNNER = join(ROOT, 'dist', 'test', 'k8s', 'kubelet-probe.js');

export interface Check {
  readonly port: number;
  readonly path?: string;
  readonly headers?: Record<string, string>;
}

/** What the kubelet checks for `probe` of container `c`: named ports looked up, headers as given. */
export function checkOf(c: Container, probe: Probe): Check {
  if (probe.tcpSocket) return { port: portOf(c, probe.tcpSocket.port) };
  const get = probe.httpGet;
  if (!get) throw new Error(`container ${c.name}: a probe neither tcpSocket nor httpGet`);
  return { port: portOf(c, get.port), path: get.path, headers: Object.fromEntries((get.httpHeaders ?? []).map((h) => [h.name, h.value])) };
}

/** Runs the check once in the namespace: whether it passed, and what the runner saw. */
export async function probe(ns: Netns, check: Check): Promise<{ ok: boolean; seen: string }> {
  const p = ns.spawn([process.execPath, RUNNER, JSON.stringify(check)], { env: childEnv() });
  const code = await Promise.race([p.exited, sleep(30_000).then(() => 'hung')]);
  if (code === 'hung') await p.stop('SIGKILL');
  return { ok: code === 0, seen: (p.stdout() + p.stderr()).trim() };
}

/** Probes every `periodMs` until the check passes; false if it has not within `ms`. */
export async function passesWithin(ns: Netns, check: Check, ms: number, periodMs = 500): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await probe(ns, check)).ok) return true;
    await sleep(periodMs);
  }
  return false;
}
