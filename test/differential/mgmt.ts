/**
 * Differential scenarios that also use the management HTTP API: policies and operator policies, set on
 * the broker the scenario runs on (Warren's test node, or RabbitMQ's management on 127.0.0.1:15672, or
 * WARREN_RABBITMQ_MGMT_URL) and deleted after the run whatever happened.
 */
import { scenario, until, warrenNode, type Env } from './harness.js';

const RABBITMQ_MGMT = process.env['WARREN_RABBITMQ_MGMT_URL'] ?? 'http://127.0.0.1:15672';
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** A reply as scenarios compare it: the status, and the reason of an error (else the JSON, if any). */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export type PolicyKind = 'policies' | 'operator-policies';

export class Mgmt {
  private readonly policies: [PolicyKind, string][] = [];

  constructor(
    private readonly base: string,
    private readonly env: Env,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<Reply> {
    const r = await fetch(this.base + path, {
      method,
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await r.text();
    const json: unknown = text === '' ? '' : JSON.parse(text);
    const reason = (json as { reason?: unknown } | null)?.reason;
    return { status: r.status, body: r.status >= 400 && reason !== undefined ? reason : json };
  }

  /** PUTs a (operator) policy on vhost `/` named `env.name(base)`, deleted after the run; the reply. */
  async policy(kind: PolicyKind, base: string, body: Record<string, unknown>): Promise<Reply> {
    const name = this.env.name(base);
    this.policies.push([kind, name]);
    return this.request('PUT', `/api/${kind}/%2F/${name}`, body);
  }

  /**
   * A queue as the API shows it once `ready` holds (or 12 s passed): RabbitMQ shows policy fields as of
   * the queue's last statistics, emitted every 5 s.
   */
  async queue(name: string, ready: (q: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    let q: Record<string, unknown> = {};
    await until(async () => ready((q = (await this.request('GET', `/api/queues/%2F/${encodeURIComponent(name)}`)).body as Record<string, unknown>)), 12_000);
    return q;
  }

  async cleanup(): Promise<void> {
    for (const [kind, name] of this.policies) await this.request('DELETE', `/api/${kind}/%2F/${name}`).catch(() => undefined);
  }
}

/** A differential scenario with the management API of the broker it runs on. */
export function mgmtScenario(name: string, fn: (env: Env, mgmt: Mgmt) => Promise<unknown[]>, opts: { todo?: string } = {}): void {
  scenario(
    name,
    async (env) => {
      const warren = await warrenNode();
      const mgmt = new Mgmt(env.url === warren.url ? `http://127.0.0.1:${warren.node.mgmt.port}` : RABBITMQ_MGMT, env);
      try {
        return await fn(env, mgmt);
      } finally {
        await mgmt.cleanup();
      }
    },
    opts,
  );
}
