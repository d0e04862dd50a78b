import type { BackendStats, StatsSnapshot } from './snapshot.js';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function bytes(n: number): string {
  if (n < 1024) return `${n}`;
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)}${units[i]}`;
}

function ago(epochMs: number, now: number): string {
  let s = Math.max(0, Math.round((now - epochMs) / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return d ? `${d}d${h}h` : h ? `${h}h${m}m` : m ? `${m}m${s}s` : `${s}s`;
}

const CLASS: Record<string, string> = { UP: 'up', DOWN: 'down', DRAIN: 'drain', MAINT: 'maint', OPEN: 'up', STOP: 'maint' };
const rowClass = (status: string): string => CLASS[status.split(',')[0]!] ?? (status.startsWith('UP') ? 'going' : 'down');

function backendRow(b: BackendStats, now: number): string {
  const chk = b.check ? `${esc(b.check.status)} ${b.check.code ?? ''} in ${b.check.durationMs}ms (${esc(b.check.detail)})` : '';
  return `<tr class="${rowClass(b.status)}"><td class="name">${esc(b.name)}<br><small>${esc(b.address)}</small></td><td>${esc(b.status)}</td><td>${chk}</td>
<td>${b.cur}</td><td>${b.max}</td><td>${b.limit || ''}</td><td>${b.total}</td><td>${bytes(b.bytesIn)}</td><td>${bytes(b.bytesOut)}</td>
<td>${b.effectiveWeight}/${b.weight}</td><td>${b.checkFailures}</td><td>${b.downTransitions}</td><td>${ago(now - b.downtimeMs, now)}</td><td>${b.connectErrors}</td><td>${ago(b.lastChange, now)}</td></tr>`;
}

const HEAD = `<tr><th>Name</th><th>Status</th><th>Last check</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>Bytes in</th><th>Bytes out</th>
<th>Weight</th><th>Chk fail</th><th>Down</th><th>Downtime</th><th>Conn err</th><th>Last change</th></tr>`;

/** The stats page: one table per frontend and per pool, laid out like HAProxy's, refreshing itself. */
export function renderHtml(s: StatsSnapshot, refreshSeconds = 5): string {
  const now = Date.now();
  const vip = s.vip
    ? `<p>VIP <b>${esc(s.vip.address || s.vip.mode)}</b> (${esc(s.vip.mode)} mode): this proxy <b>${esc(s.vip.id)}</b> is <b class="${s.vip.role === 'active' ? 'up' : 'maint'}">${esc(s.vip.role)}</b>${s.vip.held ? ', holding the address' : ''}, priority ${s.vip.priority}/${s.vip.basePriority}${s.vip.trackFailing ? ' (track failing)' : ''}, lease ${esc(s.vip.lease)}${s.vip.epoch ? ` epoch ${s.vip.epoch}` : ''}; ${s.vip.transitions} transitions, last ${ago(s.vip.lastChange, now)} ago. Peers: ${s.vip.peers.map((p) => `${esc(p.id)} ${esc(p.role)} prio ${p.priority} seen ${p.lastSeenMsAgo}ms ago`).join('; ') || 'none heard'}.</p>`
    : '<p>No VIP configured.</p>';
  const frontends = s.frontends
    .map(
      (f) => `<table><caption>frontend ${esc(f.name)} &rarr; ${esc(f.pool)}</caption>${HEAD}<tr class="${rowClass(f.status)}"><td class="name">FRONTEND<br><small>${esc(f.listen.join(' '))}</small></td><td>${f.status}</td><td>denied ${f.denied}, fenced ${f.fenced}</td>
<td>${f.cur}</td><td>${f.max}</td><td>${f.limit || ''}</td><td>${f.total}</td><td>${bytes(f.bytesIn)}</td><td>${bytes(f.bytesOut)}</td><td></td><td></td><td></td><td></td><td></td><td></td></tr></table>`,
    )
    .join('\n');
  const pools = s.pools
    .map(
      (p) => `<table><caption>pool ${esc(p.name)} (${esc(p.balance)}, ${esc(p.checkType)} check)</caption>${HEAD}${p.backends.map((b) => backendRow(b, now)).join('\n')}
<tr class="${rowClass(p.status)} total"><td class="name">BACKEND</td><td>${p.status} (${p.healthy}/${p.backends.length} up)</td><td>no backend: ${p.noBackend}</td><td>${p.cur}</td><td>${p.max}</td><td></td><td>${p.total}</td><td>${bytes(p.bytesIn)}</td><td>${bytes(p.bytesOut)}</td><td></td><td></td><td></td><td></td><td></td><td></td></tr></table>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="${refreshSeconds}"><title>warren-proxy stats</title>
<style>body{font:13px sans-serif;margin:1em}table{border-collapse:collapse;margin:1em 0;min-width:70em}caption{text-align:left;font-weight:bold;padding:.3em;background:#4a5d8a;color:#fff}
th,td{border:1px solid #999;padding:2px 6px;text-align:right}th{background:#ddd}td.name{text-align:left}
tr.up td{background:#c0f0c0}tr.down td{background:#f0c0c0}tr.drain td{background:#a0d0f0}tr.maint td{background:#ccc}tr.going td{background:#f0f0a0}tr.total td{font-weight:bold}b.up{color:#080}b.maint{color:#666}</style></head>
<body><h1>warren-proxy</h1><p>pid ${s.proxy.pid}, up ${ago(now - s.proxy.uptimeMs, now)}, ${s.proxy.ready ? 'ready' : 'not ready'}, rss ${bytes(s.proxy.rss)}. <a href="/stats.json">JSON</a> <a href="/metrics">metrics</a></p>
${vip}
${frontends}
${pools}
</body></html>`;
}
