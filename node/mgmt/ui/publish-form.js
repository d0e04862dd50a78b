// "Publish message" on an exchange's page and a queue's, as RabbitMQ's UI has it, through
// POST /api/exchanges/{vhost}/{name}/publish. A queue's page publishes through the default exchange
// with the queue's name as routing key, so it has no routing key field.

import { path, post } from './api.js';
import { field, form, h, input, notify, select } from './dom.js';
import { kvEditor } from './kv-editor.js';

const PROPERTIES = {
  content_type: 'string',
  content_encoding: 'string',
  priority: 'number',
  correlation_id: 'string',
  reply_to: 'string',
  expiration: 'string',
  message_id: 'string',
  timestamp: 'number',
  type: 'string',
  user_id: 'string',
  app_id: 'string',
};

/** The form; `exchange` '' is the default exchange; `queue` fixes the routing key to that queue's name. */
export function publishForm(vhost, exchange, queue) {
  const key = queue === undefined ? input({ autocomplete: 'off' }) : null;
  const mode = select([['1', '1 - Non-persistent'], ['2', '2 - Persistent']]);
  const headers = kvEditor('Headers', {});
  const props = kvEditor('Properties', PROPERTIES);
  const payload = h('textarea', { rows: 5 });
  const encoding = select([['string', 'String'], ['base64', 'Base64']]);
  const fields = [
    key ? null : h('p', { class: 'muted' }, `Published through the default exchange with routing key '${queue}'.`),
    h('div', { class: 'row' }, key ? field('Routing key', key) : null, field('Delivery mode', mode), field('Payload encoding', encoding)),
    headers.el,
    props.el,
    field('Payload', payload),
  ];
  return form('Publish message', fields, 'Publish message', async () => {
    const properties = { ...props.value(), delivery_mode: Number(mode.value) };
    const hdrs = headers.value();
    if (Object.keys(hdrs).length) properties.headers = hdrs;
    const body = { routing_key: key ? key.value : queue, properties, payload: payload.value, payload_encoding: encoding.value };
    // the API names the default exchange amq.default (an empty path segment would not route)
    const res = await post(path`/exchanges/${vhost}/${exchange || 'amq.default'}/publish`, body);
    notify(res.routed ? 'Message published.' : 'Message published, but not routed.', res.routed ? 'ok' : 'error');
  });
}
