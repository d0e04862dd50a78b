import { request } from 'node:http';
import { connect } from 'node:net';
import type { Probe } from './result.js';

/** Healthy when GET path answers with one of the expected status codes within the timeout. */
export const httpProbe: Probe = (target) =>
  new Promise((resolve) => {
    let settled = false;
    let connected = false;
    const finish = (o: Parameters<typeof resolve>[0]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    const req = request({
      host: target.host,
      port: target.port,
      path: target.path,
      method: 'GET',
      agent: false,
      createConnection: () => {
        const s = connect({ host: target.host, port: target.port });
        if (target.proxyHeader) s.write(target.proxyHeader); // ahead of the request
        return s;
      },
      headers: { 'user-agent': 'warren-proxy-check', connection: 'close' },
    });
    const timer = setTimeout(
      () => finish({ ok: false, status: connected ? 'L7TOUT' : 'L4TOUT', detail: `no answer within ${target.timeout} ms` }),
      target.timeout,
    );
    req.once('socket', (s) => s.once('connect', () => (connected = true)));
    req.once('response', (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      const ok = target.expectStatus.includes(code);
      finish({ ok, status: ok ? 'L7OK' : 'L7STS', code, detail: `HTTP ${code}` });
    });
    req.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, status: connected ? 'L7RSP' : 'L4CON', detail: e.code ?? e.message }));
    req.end();
  });
