/**
 * The k8s/ manifests read with the `yaml` package, and what a kubelet would make of a container in
 * them: its command line, its environment (Secret references resolved), its ConfigMap files and its
 * probes, so a test can run the container's command here and probe it as the kubelet would.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/node.js';

export interface Port {
  name?: string;
  containerPort: number;
  protocol?: string;
}
export interface Probe {
  tcpSocket?: { port: string | number };
  httpGet?: { path: string; port: string | number; httpHeaders?: { name: string; value: string }[] };
  periodSeconds?: number;
  failureThreshold?: number;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
export interface Container {
  name: string;
  command: string[];
  args?: string[];
  env?: EnvVar[];
  ports: Port[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts: { name: string; mountPath: string }[];
}
export interface PodSpec {
  securityContext?: { runAsUser?: number };
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
export interface StatefulSet extends K8sObject {
  spec: {
    serviceName: string;
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string } }[];
  };
}
export interface Service extends K8sObject {
  spec: {
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string | number; protocol?: string }[];
  };
}

/** Every document of every .yaml file directly in `dir` (k8s/ or k8s/proxy/), failing on a YAML error. */
export function loadManifests(dir: string): K8sObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${f}: ${doc.errors[0]!.message}`);
        return doc.toJS() as K8sObject;
      }),
    );
}

export const K8S = join(ROOT, 'k8s');

export function find<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in the manifests`);
  return o as T;
}

/** A probe's or Service's port as a number: a name is looked up among the container's ports. */
export function portOf(c: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const p = c.ports.find((x) => x.name === port);
  if (!p) throw new Error(`container ${c.name} has no port named ${port}`);
  return p.containerPort;
}

/** A Secret's value under `key` (stringData, or base64 in data). */
function secretValue(s: K8sObject, key: string): string | undefined {
  return s.stringData?.[key] ?? (s.data?.[key] === undefined ? undefined : Buffer.from(s.data[key], 'base64').toString());
}

export interface Rendered {
  /** the container's command and args, with mounted paths moved below `root` */
  readonly argv: string[];
  /** the container's environment; Secrets resolved, optional ones that are absent left out */
  readonly env: Record<string, string>;
  /** where a path in the container is found here */
  readonly local: (path: string) => string;
}

/** A pod's container as the kubelet would start it, its ConfigMap volumes written below `root`. */
export function render(objects: K8sObject[], pod: PodSpec, c: Container, root: string): Rendered {
  const mounts: string[] = [];
  for (const m of c.volumeMounts) {
    const cm = pod.volumes?.find((v) => v.name === m.name)?.configMap;
    if (!cm) continue;
    const dir = join(root, m.mountPath);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(find(objects, 'ConfigMap', cm.name).data ?? {})) writeFileSync(join(dir, file), text);
    mounts.push(m.mountPath);
  }
  const local = (path: string): string => (mounts.some((m) => path.startsWith(`${m}/`)) ? join(root, path) : path);
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const secret = ref ? objects.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name) : undefined;
    const value = ref ? (secret ? secretValue(secret, ref.key) : undefined) : e.value;
    if (value === undefined && !ref?.optional) throw new Error(`env ${e.name}: no value (Secret ${ref?.name} key ${ref?.key})`);
    if (value !== undefined) env[e.name] = value;
  }
  return { argv: [...c.command, ...(c.args ?? [])].map(local), env, local };
}

/** The Dockerfile's CMD and USER, which the manifests' command and runAsUser must agree with. */
export function dockerfile(): { cmd: string[]; user: string; from: string[] } {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const last = (re: RegExp): string => [...text.matchAll(re)].at(-1)?.[1] ?? '';
  return { cmd: JSON.parse(last(/^CMD (.*)$/gm) || '[]') as string[], user: last(/^USER (\S+)$/gm), from: [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!) };
}
