import type { Socket } from 'node:net';

/** Looks per idle period: a session closes between 1 and 1.5 periods after its last byte. */
const CHECKS_PER_PERIOD = 4;

/**
 * Calls `onIdle` once neither socket has read a byte for `ms`. It compares the sockets' byte totals a few
 * times per period rather than re-arming a timer on every chunk as socket.setTimeout does, so a busy
 * session pays nothing per chunk. Every byte crossing the proxy is read from one of the two sockets, so
 * traffic either way (an AMQP heartbeat included) counts. Returns the function that stops the watch.
 */
export function watchIdle(a: Socket, b: Socket, ms: number, onIdle: () => void): () => void {
  let seen = a.bytesRead + b.bytesRead;
  let since = Date.now();
  const timer = setInterval(() => {
    const moved = a.bytesRead + b.bytesRead;
    if (moved !== seen) {
      seen = moved;
      since = Date.now();
    } else if (Date.now() - since >= ms) {
      clearInterval(timer);
      onIdle();
    }
  }, ms / CHECKS_PER_PERIOD);
  timer.unref();
  return () => clearInterval(timer);
}
