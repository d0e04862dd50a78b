// Asking several independent Redis servers the same thing and counting answers (the Redlock model:
// a decision holds when a majority agrees; any two majorities share a server).
import type { Redis } from 'ioredis';

export type Vote<T> = { readonly ok: true; readonly client: Redis; readonly value: T } | { readonly ok: false; readonly client: Redis; readonly error: unknown };

/** Majority of n. */
export function quorumOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * Runs op on every client and waits for all answers. Bounded in time because the clients fail fast
 * when disconnected and time out commands (see connect.ts).
 */
export async function askAll<T>(clients: readonly Redis[], op: (client: Redis) => Promise<T>): Promise<Vote<T>[]> {
  return Promise.all(
    clients.map((client) =>
      op(client).then(
        (value): Vote<T> => ({ ok: true, client, value }),
        (error: unknown): Vote<T> => ({ ok: false, client, error }),
      ),
    ),
  );
}

/** Values from the servers that answered. */
export function answered<T>(votes: readonly Vote<T>[]): T[] {
  return votes.flatMap((v) => (v.ok ? [v.value] : []));
}
