// The consumers table of a queue's page (which channel consumes) and a channel's (which queue it consumes).

import { num, show, table } from './dom.js';

/** Consumers from /api/consumers; `lead` is the first column, the other end of each. */
export const consumersTable = (list, lead) =>
  table('Consumers', [
    lead,
    { label: 'Consumer tag', get: (c) => c.consumer_tag },
    { label: 'Ack required', get: (c) => (c.ack_required ? 'yes' : 'no') },
    { label: 'Exclusive', get: (c) => (c.exclusive ? 'yes' : 'no') },
    { label: 'Prefetch', get: (c) => num(c.prefetch_count), cls: 'n' },
    { label: 'Status', get: (c) => c.activity_status },
    { label: 'Arguments', get: (c) => show(c.arguments) },
  ], list, 'No consumers.');
