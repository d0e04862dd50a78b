/**
 * Binding properties keys against values RabbitMQ 3.10 gave for the same bindings (and erlang:phash2/2
 * for the terms behind them), so the hash stays right where no RabbitMQ runs: routing keys quoted as
 * RabbitMQ quotes them, arguments of every AMQP type, nested, sorted and empty, and JSON arguments of
 * the API as RabbitMQ types them.
 */
import t from 'tap';
import { propertiesKey } from '../../node/mgmt/binding-key.js';
import { phash2, type Term } from '../../node/mgmt/erlang-hash.js';
import { jsonToTable } from '../../node/mgmt/json-args.js';
import { Decimal, Typed, type FieldTable } from '../../shared/amqp/index.js';

t.test('properties keys RabbitMQ gave', async (t) => {
  const cases: [string, FieldTable, string][] = [
    ['k.#', {}, 'k.%23'],
    ['', {}, '~'],
    ['a b/c~d%e+é?&=*', {}, 'a+b%2Fc%7Ed%25e%2B%C3%A9%3F%26%3D%2A'],
    ['k.#', { 'x-tag': 'a' }, 'k.%23~tt9UjQ'],
    ['', { 'x-tag': 'a' }, '~tt9UjQ'],
    ['ord', { z: 'y', a: 'x', m: true }, 'ord~fQbmtg'],
    ['k', { 'x-n': new Typed('l', 1), b: [new Typed('l', 1), 'x'], t: { z: true } }, 'k~atP6Qg'],
    ['e', { a: [], t: {}, f: 2.5, n: new Typed('l', -5), big: new Typed('l', 123456789012), neg: new Typed('l', -300000000), z: new Typed('d', 0), s: '' }, 'e~Rqaq3g'],
    [
      'ord2',
      {
        n: 5,
        v: null,
        ts: new Date(1_000_000),
        d: new Typed('d', 1.5),
        by: new Typed('b', -3),
        dec: new Decimal(2, 12345),
        bin: Buffer.from('ab'),
        arr: [new Typed('b', 1), 's'],
        l: new Typed('l', 7),
        f: new Typed('f', 2.5),
        s: new Typed('s', 3),
        u: new Typed('i', 4),
      },
      'ord2~rSRH3A',
    ],
  ];
  for (const [key, args, want] of cases) t.equal(propertiesKey(key, args), want, `${JSON.stringify(key)} with ${Object.keys(args).join(', ') || 'no arguments'}`);
});

t.test('nested tables over AMQP hash in the order they came (RabbitMQ sorts only the top level)', async (t) => {
  const b = (n: number) => new Typed('b', n);
  t.equal(propertiesKey('', { t: { a: b(1), b: b(2) } }), '~MJpbOA');
  t.equal(propertiesKey('', { t: { b: b(2), a: b(1) } }), '~sJ2BPQ');
  t.equal(propertiesKey('', { b: b(2), a: b(1) }), propertiesKey('', { a: b(1), b: b(2) }), 'the top level in key order');
});

t.test('properties keys RabbitMQ gave for JSON arguments posted to the API', async (t) => {
  const cases: [string, string][] = [
    ['{"i":1}', 'k~2pFjSg'],
    ['{"n":-5}', 'k~94f54w'],
    ['{"big":123456789012}', 'k~VMOSzA'],
    ['{"neg":-300000000}', 'k~MPkOEw'],
    ['{"f":2.5}', 'k~xiKDUA'],
    ['{"b":true,"c":false}', 'k~nP07NA'],
    ['{"s":"x"}', 'k~e4oexQ'],
    ['{"o":{"b":1,"a":[1,2.5,"s",true,{"z":1,"y":-2}]}}', 'k~2bh8Aw'],
    ['{"e":[],"m":{}}', 'k~gkivmQ'],
  ];
  for (const [json, want] of cases) t.equal(propertiesKey('k', jsonToTable(JSON.parse(json))), want, json);
});

t.test('erlang:phash2(Term, 1 bsl 32) as erl computes it', async (t) => {
  const b = (s: string): Term => ({ bin: Buffer.from(s) });
  const row = (k: string, type: string, v: Term): Term => ({ list: [{ tuple: [b(k), { atom: type }, v] }] });
  const cases: [string, Term, number][] = [
    ['[{<<"a">>,array,[]}]', row('a', 'array', { list: [] }), 2387373417],
    ['[{<<"n">>,long,-5}]', row('n', 'long', { int: -5n }), 4152883683],
    ['[{<<"n">>,long,-300000000}]', row('n', 'long', { int: -300000000n }), 2269666819],
    ['[{<<"z">>,double,0.0}]', row('z', 'double', { float: 0 }), 2359333607],
    ['[{<<"k">>,longstr,<<"a".."z">>}] (two 12-byte blocks and a tail)', row('k', 'longstr', b('abcdefghijklmnopqrstuvwxyz')), 2240752195],
    ['[{<<"x">>,long,1 bsl 70}] (a two-digit bignum)', row('x', 'long', { int: 1n << 70n }), 457393346],
  ];
  for (const [what, term, want] of cases) t.equal(phash2(term), want, what);
});
