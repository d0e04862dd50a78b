import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { StatsSnapshot } from './snapshot.js';

type Labels = Record<string, string>;
type Sample = [Labels, number];

/**
 * Prometheus metrics (prom-client), named after HAProxy's exporter (`haproxy_frontend_current_sessions`
 * becomes `warren_proxy_frontend_current_sessions`). Values are read from one snapshot per scrape, in
 * collect(), so nothing is updated on the data path.
 */
export class Metrics {
  readonly registry = new Registry();
  private snap: StatsSnapshot | null = null;

  constructor(private readonly take: () => StatsSnapshot) {
    collectDefaultMetrics({ register: this.registry, prefix: 'warren_proxy_' });
    const fe = (s: StatsSnapshot, f: (x: StatsSnapshot['frontends'][number]) => number): Sample[] => s.frontends.map((x) => [{ frontend: x.name }, f(x)]);
    const be = (s: StatsSnapshot, f: (x: StatsSnapshot['pools'][number]['backends'][number]) => number): Sample[] =>
      s.pools.flatMap((p) => p.backends.map((b): Sample => [{ pool: p.name, backend: b.name }, f(b)]));
    const pool = (s: StatsSnapshot, f: (x: StatsSnapshot['pools'][number]) => number): Sample[] => s.pools.map((p) => [{ pool: p.name }, f(p)]);

    this.gauge('frontend_current_sessions', 'Current sessions on the frontend', ['frontend'], (s) => fe(s, (x) => x.cur));
    this.gauge('frontend_max_sessions', 'Most concurrent sessions seen', ['frontend'], (s) => fe(s, (x) => x.max));
    this.gauge('frontend_limit_sessions', 'Configured maxconn (0 = none)', ['frontend'], (s) => fe(s, (x) => x.limit));
    this.gauge('frontend_listening', '1 while the frontend accepts connections', ['frontend'], (s) => fe(s, (x) => (x.status === 'OPEN' ? 1 : 0)));
    this.counter('frontend_sessions_total', 'Sessions accepted', ['frontend'], (s) => fe(s, (x) => x.total));
    this.counter('frontend_denied_connections_total', 'Clients closed at maxconn', ['frontend'], (s) => fe(s, (x) => x.denied));
    this.counter('frontend_fenced_connections_total', 'Clients closed because this proxy no longer held the VIP', ['frontend'], (s) => fe(s, (x) => x.fenced));
    this.counter('frontend_bytes_in_total', 'Bytes received from clients', ['frontend'], (s) => fe(s, (x) => x.bytesIn));
    this.counter('frontend_bytes_out_total', 'Bytes sent to clients', ['frontend'], (s) => fe(s, (x) => x.bytesOut));

    this.gauge('backend_up', '1 when the backend passes its health checks', ['pool', 'backend'], (s) => be(s, (b) => (b.up ? 1 : 0)));
    this.gauge('backend_admin_ready', '1 when enabled (not drain or maint)', ['pool', 'backend'], (s) => be(s, (b) => (b.admin === 'ready' ? 1 : 0)));
    this.gauge('backend_weight', 'Effective weight (ramps during slow start)', ['pool', 'backend'], (s) => be(s, (b) => b.effectiveWeight));
    this.gauge('backend_current_sessions', 'Current sessions', ['pool', 'backend'], (s) => be(s, (b) => b.cur));
    this.gauge('backend_max_sessions', 'Most concurrent sessions seen', ['pool', 'backend'], (s) => be(s, (b) => b.max));
    this.gauge('backend_limit_sessions', 'Configured maxconn (0 = none)', ['pool', 'backend'], (s) => be(s, (b) => b.limit));
    this.gauge('backend_check_duration_seconds', 'Duration of the last health check', ['pool', 'backend'], (s) => be(s, (b) => (b.check?.durationMs ?? 0) / 1000));
    this.gauge('backend_last_change_seconds', 'Seconds since the last state change', ['pool', 'backend'], (s) => be(s, (b) => (Date.now() - b.lastChange) / 1000));
    this.counter('backend_sessions_total', 'Sessions established', ['pool', 'backend'], (s) => be(s, (b) => b.total));
    this.counter('backend_bytes_in_total', 'Bytes from clients to the backend', ['pool', 'backend'], (s) => be(s, (b) => b.bytesIn));
    this.counter('backend_bytes_out_total', 'Bytes from the backend to clients', ['pool', 'backend'], (s) => be(s, (b) => b.bytesOut));
    this.counter('backend_connection_errors_total', 'Failed connection attempts', ['pool', 'backend'], (s) => be(s, (b) => b.connectErrors));
    this.counter('backend_check_failures_total', 'Failed health checks', ['pool', 'backend'], (s) => be(s, (b) => b.checkFailures));
    this.counter('backend_check_up_down_total', 'Transitions to down', ['pool', 'backend'], (s) => be(s, (b) => b.downTransitions));
    this.counter('backend_downtime_seconds_total', 'Time spent down', ['pool', 'backend'], (s) => be(s, (b) => b.downtimeMs / 1000));

    this.gauge('pool_active_backends', 'Backends up and enabled', ['pool'], (s) => pool(s, (p) => p.healthy));
    this.gauge('pool_current_sessions', 'Current sessions', ['pool'], (s) => pool(s, (p) => p.cur));
    this.counter('pool_no_backend_total', 'Clients closed because no backend could take them', ['pool'], (s) => pool(s, (p) => p.noBackend));

    const vip = (f: (v: NonNullable<StatsSnapshot['vip']>) => number) => (s: StatsSnapshot): Sample[] => (s.vip ? [[{ id: s.vip.id }, f(s.vip)]] : []);
    this.gauge('vip_active', '1 while this proxy is active and holds the VIP', ['id'], vip((v) => (v.role === 'active' && v.held ? 1 : 0)));
    this.gauge('vip_priority', 'Effective VRRP-like priority', ['id'], vip((v) => v.priority));
    this.gauge('vip_epoch', 'Fencing epoch of the lease held (0 = none)', ['id'], vip((v) => v.epoch));
    this.counter('vip_transitions_total', 'Role changes', ['id'], vip((v) => v.transitions));
    this.counter('vip_fenced_total', 'Times the VIP was dropped because the lease could not be proven', ['id'], vip((v) => v.fenced));
    this.gauge('ready', '1 when /healthz reports ready', [], (s) => [[{}, s.proxy.ready ? 1 : 0]]);
  }

  async render(): Promise<string> {
    this.snap = this.take();
    try {
      return await this.registry.metrics();
    } finally {
      this.snap = null;
    }
  }

  private current(): StatsSnapshot {
    return this.snap ?? this.take();
  }

  private gauge(name: string, help: string, labelNames: string[], read: (s: StatsSnapshot) => Sample[]): void {
    const self = this;
    new Gauge({
      name: `warren_proxy_${name}`,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, v] of read(self.current())) this.set(labels, v);
      },
    });
  }

  private counter(name: string, help: string, labelNames: string[], read: (s: StatsSnapshot) => Sample[]): void {
    const self = this;
    new Counter({
      name: `warren_proxy_${name}`,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, v] of read(self.current())) this.inc(labels, v);
      },
    });
  }
}
