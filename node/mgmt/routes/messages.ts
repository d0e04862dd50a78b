import type { BasicProperties } from '../../../shared/amqp/index.js';
import type { Message } from '../../broker/message.js';
import { jsonToTable, tableToJson } from '../json-args.js';
import { badRequest } from '../http-error.js';

const PROPS: [keyof BasicProperties, string][] = [
  ['contentType', 'content_type'],
  ['contentEncoding', 'content_encoding'],
  ['deliveryMode', 'delivery_mode'],
  ['priority', 'priority'],
  ['correlationId', 'correlation_id'],
  ['replyTo', 'reply_to'],
  ['expiration', 'expiration'],
  ['messageId', 'message_id'],
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['userId', 'user_id'],
  ['appId', 'app_id'],
  ['clusterId', 'cluster_id'],
];

/** Message properties as the management API shows them (snake_case, headers as JSON). */
export function propertiesJson(p: BasicProperties): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, json] of PROPS) if (p[k] !== undefined) out[json] = p[k];
  if (p.headers) out['headers'] = tableToJson(p.headers);
  return out;
}

/** Properties from an API publish body; 400 naming the property when a value has the wrong type. */
export function propertiesFromJson(v: unknown): BasicProperties {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('properties must be an object');
  const src = v as Record<string, unknown>;
  const p: BasicProperties = {};
  const numeric = new Set(['delivery_mode', 'priority', 'timestamp']);
  for (const [k, json] of PROPS) {
    const x = src[json];
    if (x === undefined) continue;
    if (numeric.has(json) ? typeof x !== 'number' : typeof x !== 'string') throw badRequest(`property ${json} has the wrong type`);
    (p as Record<string, unknown>)[k] = x;
  }
  if (src['headers'] !== undefined) p.headers = jsonToTable(src['headers'], 'properties.headers');
  return p;
}

/** A message as POST /api/queues/{vhost}/{name}/get returns it. */
export function messageJson(msg: Message, redelivered: boolean, remaining: number, encoding: string, truncate: number | undefined): Record<string, unknown> {
  const body = truncate !== undefined ? msg.body.subarray(0, truncate) : msg.body;
  const text = body.toString('utf8');
  const printable = encoding === 'auto' && Buffer.from(text, 'utf8').equals(body);
  const properties = propertiesJson(msg.properties);
  return {
    payload_bytes: msg.body.length,
    redelivered,
    exchange: msg.exchange,
    routing_key: msg.routingKey,
    message_count: remaining,
    // no properties are Erlang's empty proplist, which RabbitMQ's JSON shows as a list
    properties: Object.keys(properties).length > 0 ? properties : [],
    payload: printable ? text : body.toString('base64'),
    payload_encoding: printable ? 'string' : 'base64',
  };
}

