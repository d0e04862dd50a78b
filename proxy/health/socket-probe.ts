import { connect, type Socket } from 'node:net';
import type { ProbeOutcome, ProbeTarget } from './result.js';

/**
 * Connects to the target and hands the socket to `talk`, which calls `done` with the outcome. Owns the
 * deadline and the cleanup: whatever happens, the socket is destroyed and one outcome is returned.
 */
export function socketProbe(target: ProbeTarget, talk: (socket: Socket, done: (o: ProbeOutcome) => void) => void): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let connected = false;
    let finished = false;
    const socket = connect({ host: target.host, port: target.port });
    if (target.proxyHeader) socket.write(target.proxyHeader); // sent once connected, before what `talk` sends
    const done = (o: ProbeOutcome): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(
      () => done(connected ? { ok: false, status: 'L7TOUT', detail: `no answer within ${target.timeout} ms` } : { ok: false, status: 'L4TOUT', detail: `connect timeout ${target.timeout} ms` }),
      target.timeout,
    );
    socket.setNoDelay(true);
    socket.once('connect', () => {
      connected = true;
      talk(socket, done);
    });
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(connected ? { ok: false, status: 'L7RSP', detail: e.code ?? e.message } : { ok: false, status: 'L4CON', detail: e.code ?? e.message }),
    );
    socket.once('close', () => done(connected ? { ok: false, status: 'L7RSP', detail: 'connection closed before an answer' } : { ok: false, status: 'L4CON', detail: 'closed' }));
  });
}
