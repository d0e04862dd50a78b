import type { StatsSnapshot } from './snapshot.js';

/** /stats.json: the snapshot as indented JSON (the same fields the HTML page and /metrics show). */
export function renderJson(s: StatsSnapshot): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

/** /healthz: ready (200) when this proxy is active and holds the VIP, or no VIP is configured; 503 otherwise. */
export function renderHealth(s: StatsSnapshot): { status: number; body: string } {
  const body = { ready: s.proxy.ready, role: s.vip?.role ?? 'no vip', held: s.vip?.held ?? true, epoch: s.vip?.epoch ?? 0 };
  return { status: s.proxy.ready ? 200 : 503, body: `${JSON.stringify(body)}\n` };
}
