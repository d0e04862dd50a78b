// Key layout, one namespace per consuming service:
//   <prefix><namespace>:msg:<id>   claim (value = owner token, PX lease) or done ("done:<fence>:<token>", PX retention)
//   <prefix><namespace>:fence      fencing counter (INCR), never expires
// Ids live under "msg:" so no id can collide with the counter.
export interface KeySpace {
  message(id: string): string;
  readonly fence: string;
}

export function keySpace(prefix: string, namespace: string): KeySpace {
  const base = `${prefix}${namespace}:`;
  return { message: (id) => `${base}msg:${id}`, fence: `${base}fence` };
}

export const DONE_PREFIX = 'done:';

export function doneValue(fence: number, token: string): string {
  return `${DONE_PREFIX}${fence}:${token}`;
}
