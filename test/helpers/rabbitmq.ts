import { createConnection } from 'node:net';

/**
 * The RabbitMQ used by differential tests: 127.0.0.1:5672 (or WARREN_RABBITMQ_URL). Resolves null when it
 * is not reachable, and the caller skips with the printed reason.
 */
export const RABBITMQ_URL = process.env['WARREN_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

export async function rabbitmqReachable(): Promise<string | null> {
  const u = new URL(RABBITMQ_URL);
  const ok = await new Promise<boolean>((resolve) => {
    const s = createConnection({ host: u.hostname, port: Number(u.port || 5672) });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
  return ok ? RABBITMQ_URL : null;
}

export const RABBITMQ_SKIP_REASON = `RabbitMQ not reachable at ${RABBITMQ_URL} (install rabbitmq-server and run rabbitmq-server -detached)`;
