import { FRAME_METHOD, FrameParser, Reader, decodeMethodArgs } from '../../shared/amqp/index.js';
import type { Probe } from './result.js';
import { socketProbe } from './socket-probe.js';

const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');
/** connection.start is the broker's first frame; allow a generous size (it comes before tune). */
const FRAME_MAX = 131_072;

/**
 * Healthy when the server answers the AMQP 0-9-1 protocol header with a connection.start method frame on
 * channel 0 that decodes as version 0-9. The socket is then closed before start-ok: the broker sees a
 * client that went away during the handshake, which costs it nothing.
 */
export const amqpProbe: Probe = (target) =>
  socketProbe(target, (socket, done) => {
    const parser = new FrameParser(
      {
        onFrame(type, channel, payload) {
          if (type !== FRAME_METHOD || channel !== 0) return done({ ok: false, status: 'L7RSP', detail: `first frame type ${type} on channel ${channel}` });
          const r = new Reader().reset(payload);
          const classId = r.u16();
          const methodId = r.u16();
          if (classId !== 10 || methodId !== 10) return done({ ok: false, status: 'L7RSP', detail: `expected connection.start, got method ${classId}.${methodId}` });
          const m = decodeMethodArgs(r, classId, methodId);
          if (m.name !== 'connection.start' || m.versionMajor !== 0 || m.versionMinor !== 9) {
            return done({ ok: false, status: 'L7RSP', detail: 'connection.start for another protocol version' });
          }
          done({ ok: true, status: 'L7OK', detail: 'connection.start' });
        },
      },
      FRAME_MAX,
    );
    socket.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 4).toString('latin1') === 'AMQP') {
        return done({ ok: false, status: 'L7RSP', detail: `server refused the protocol header (it speaks ${[...chunk.subarray(4, 8)].join('.')})` });
      }
      try {
        parser.push(chunk);
      } catch (e) {
        done({ ok: false, status: 'L7RSP', detail: (e as Error).message });
      }
    });
    socket.write(PROTOCOL_HEADER);
  });
