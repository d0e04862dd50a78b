// Owner tokens: unique per claim, readable in redis-cli (host, pid, a random instance part, a sequence).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export function tokenSource(): () => string {
  const instance = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  let seq = 0;
  return () => `${instance}:${++seq}`;
}
