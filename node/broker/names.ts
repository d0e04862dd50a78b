import { randomBytes } from 'node:crypto';

/** Server-generated names look like RabbitMQ's: `amq.gen-` + 22 base64url characters. */
export function generatedName(prefix: 'amq.gen-' | 'amq.ctag-'): string {
  return prefix + randomBytes(16).toString('base64url');
}

export const isReserved = (name: string): boolean => name.startsWith('amq.');
