import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * What RabbitMQ's certificate-expiration health check says of one PEM file: for each certificate in it,
 * its expiry date if it expires before `deadline` (ms since the epoch), or why it is not a usable
 * certificate (not yet valid, not a certificate, unreadable). Empty when all is well.
 */
export function expiringIn(file: string, deadline: number): string[] {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    return [`The certificate file could not be read: ${(e as Error).message}`];
  }
  const entries = [...pem.matchAll(/-----BEGIN ([^-]+)-----[\s\S]*?-----END \1-----/g)];
  if (entries.length === 0) return ['The certificate file provided does not contain any PEM entry.'];
  return entries.flatMap(([block, type]) => {
    if (type !== 'CERTIFICATE') return [`The certificate file provided contains a '${type}' entry`];
    const cert = new X509Certificate(block);
    if (Date.parse(cert.validFrom) > Date.now()) return ['Certificate is not yet valid'];
    const notAfter = Date.parse(cert.validTo);
    return notAfter < deadline ? [expiryText(notAfter)] : [];
  });
}

/** A date as RabbitMQ writes expiry dates (Erlang's ~w for the hour: not padded), in UTC. */
function expiryText(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${d.getUTCHours()}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}
