import { readFileSync } from 'node:fs';
import { createSecureContext, type TlsOptions } from 'node:tls';
import { ConfigError } from '../../shared/config.js';
import type { NodeConfig } from '../config.js';

/**
 * The AMQPS listener's TLS options, read once at start. Every problem is a ConfigError naming the setting:
 * a file missing or unreadable, or a key that does not belong to the certificate.
 *
 * RabbitMQ's peer verification maps as follows: `tls-verify peer` asks for a client certificate and checks
 * it against `tls-ca-file` when one is sent; `tls-fail-if-no-peer-cert` also refuses clients sending none.
 * Node's rejectUnauthorized does both at once, so without fail-if-no-peer-cert the listener accepts and
 * AmqpServer drops a client whose certificate failed (see AmqpServer.acceptTls).
 */
export function tlsServerOptions(c: NodeConfig): TlsOptions {
  if (c.tlsFailIfNoPeerCert && c.tlsVerify !== 'peer') throw new ConfigError('tls-fail-if-no-peer-cert', true, 'needs tls-verify peer');
  const read = (key: string, path: string | null): Buffer => {
    if (path === null) throw new ConfigError(key, null, 'required when amqps-port is set');
    try {
      return readFileSync(path);
    } catch (e) {
      throw new ConfigError(key, path, (e as Error).message);
    }
  };
  const options: TlsOptions = {
    cert: read('tls-cert-file', c.tlsCertFile),
    key: read('tls-key-file', c.tlsKeyFile),
    ...(c.tlsCaFile !== null ? { ca: read('tls-ca-file', c.tlsCaFile) } : {}),
    requestCert: c.tlsVerify === 'peer',
    rejectUnauthorized: c.tlsFailIfNoPeerCert,
  };
  try {
    createSecureContext(options);
  } catch (e) {
    throw new ConfigError('tls-key-file', c.tlsKeyFile, `unusable with tls-cert-file: ${(e as Error).message}`);
  }
  return options;
}
