import type { Probe } from './result.js';
import { socketProbe } from './socket-probe.js';

/** Healthy when a TCP connection opens within the timeout. */
export const tcpProbe: Probe = (target) => socketProbe(target, (_socket, done) => done({ ok: true, status: 'L4OK', detail: 'connected' }));
