import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type UserTag = 'administrator' | 'monitoring' | 'management' | 'policymaker' | 'impersonator';

export interface User {
  readonly name: string;
  /** RabbitMQ's rabbit_password_hashing_sha256 format: base64(salt(4) + sha256(salt + password)). */
  passwordHash: string;
  tags: UserTag[];
}

export function hashPassword(password: string, salt: Buffer = randomBytes(4)): string {
  const digest = createHash('sha256').update(salt).update(password, 'utf8').digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

export function checkPassword(user: User, password: string): boolean {
  const stored = Buffer.from(user.passwordHash, 'base64');
  if (stored.length !== 36) return false;
  const candidate = Buffer.from(hashPassword(password, stored.subarray(0, 4)), 'base64');
  return timingSafeEqual(stored, candidate);
}
