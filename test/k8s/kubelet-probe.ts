/**
 * One probe as the kubelet makes it, run as a program inside the network namespace the container's
 * command runs in: `node kubelet-probe.js '{"port":5672}'` (a TCP check) or
 * `'{"port":15672,"path":"/api/auth","headers":{}}'` (an HTTP GET: 200-399 passes). Exits 0 when it
 * passes, 1 when not; prints what it saw.
 */
import { createConnection } from 'node:net';

interface Check {
  port: number;
  path?: string;
  headers?: Record<string, string>;
}

const TIMEOUT_MS = 5000;

function tcp(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1', timeout: TIMEOUT_MS });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('timeout', () => reject(new Error('timed out')));
    s.once('error', reject);
  });
}

async function http(c: Check): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${c.port}${c.path}`, { headers: c.headers ?? {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (res.status < 200 || res.status >= 400) throw new Error(`HTTP ${res.status}`);
  return `HTTP ${res.status}`;
}

const check = JSON.parse(process.argv[2] ?? '{}') as Check;
(check.path === undefined ? tcp(check.port) : http(check)).then(
  (seen) => console.log(seen),
  (e: Error) => {
    console.log(`failed: ${e.message}`);
    process.exitCode = 1;
  },
);
