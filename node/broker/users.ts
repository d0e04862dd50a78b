import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The tags that grant management API rights; users may carry any other tag too, as in RabbitMQ. */
export type UserTag = 'administrator' | 'monitoring' | 'management' | 'policymaker' | 'impersonator';

/** RabbitMQ's password hashing modules: base64(salt(4) + digest(salt + password)) with this digest. */
const DIGESTS = {
  rabbit_password_hashing_sha256: 'sha256',
  rabbit_password_hashing_sha512: 'sha512',
  rabbit_password_hashing_md5: 'md5',
} as const;

export type HashingAlgorithm = keyof typeof DIGESTS;

/** What RabbitMQ hashes new passwords with, and what a hash without a named algorithm is taken to be. */
export const DEFAULT_HASHING: HashingAlgorithm = 'rabbit_password_hashing_sha256';

export const isHashingAlgorithm = (v: unknown): v is HashingAlgorithm => typeof v === 'string' && Object.hasOwn(DIGESTS, v);

export interface User {
  readonly name: string;
  /** Empty for a user without a password (it cannot log in with one). */
  passwordHash: string;
  hashing: HashingAlgorithm;
  tags: string[];
}

export function hashPassword(password: string, salt: Buffer = randomBytes(4), hashing: HashingAlgorithm = DEFAULT_HASHING): string {
  const digest = createHash(DIGESTS[hashing]).update(salt).update(password, 'utf8').digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/** Empty passwords never log in, whatever is stored (RabbitMQ refuses them too). */
export function checkPassword(user: User, password: string): boolean {
  if (password === '') return false;
  const stored = Buffer.from(user.passwordHash, 'base64');
  if (stored.length <= 4) return false;
  const candidate = Buffer.from(hashPassword(password, stored.subarray(0, 4), user.hashing), 'base64');
  return candidate.length === stored.length && timingSafeEqual(stored, candidate);
}
