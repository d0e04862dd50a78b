/**
 * Erlang term printing for RabbitMQ's error texts. Every expected string below was printed by Erlang/OTP's
 * io_lib:format (the same as RabbitMQ 3.10.8 sends), line breaks included.
 */
import t from 'tap';
import { AmqpError, Chars, printTerm, unexpectedFrame, unknownFrame, wellFormed } from '../../../shared/amqp/index.js';
import { badFrameEnd, frameTooLarge } from '../../../shared/amqp/frame-errors.js';

const detail = (e: AmqpError): string => e.replyText.replace(/^[A-Z_]+ - /, '');

t.test('frame errors show the payload as Erlang prints a binary: a string when printable', async (t) => {
  t.equal(detail(unknownFrame(9, Buffer.from('hello "w" \\x\n\ty\x1b'))), 'type 9, all octets = <<"hello \\"w\\" \\\\x\\n\\ty\\e">>: unknown_frame', '16 octets: all of them');
  t.equal(detail(unknownFrame(9, Buffer.from('abcdefghijklmnopqrstuvwxyz'))), 'type 9, first 16 octets = <<"abcdefghijklmnop">>: unknown_frame');
  t.equal(detail(unknownFrame(9, Buffer.from([0x1b, 7, 0x7f, 0x41]))), 'type 9, all octets = <<27,7,127,65>>: unknown_frame', 'else as bytes');
  t.equal(detail(unexpectedFrame(8, Buffer.alloc(0))), 'type 8, all octets = <<>>');
  t.equal(detail(frameTooLarge(1, 200_000, 131_072)), 'type 1, all octets = <<>>: {frame_too_large,200000,131064}');
});

t.test('a term too long for its 80-column line is wrapped as io_lib_pretty wraps it', async (t) => {
  t.equal(
    detail(badFrameEnd(3, Buffer.alloc(20, 0x9f), 206)),
    `type 3, first 16 octets = <<${'159,'.repeat(12)}\n${' '.repeat(28)}159,159,159,159>>: {invalid_frame_end_marker,206}`,
  );
  t.equal(
    detail(badFrameEnd(1, Buffer.from(Array.from({ length: 17 }, (_, i) => i + 1)), 206)),
    `type 1, first 16 octets = <<1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16>>: {invalid_frame_end_marker,\n${' '.repeat(71)}206}`,
  );
  const many = ['unacceptable_type_in_header', ...Array.from({ length: 22 }, (_, i) => i + 1)];
  t.equal('x'.repeat(30) + printTerm(many, 31), `${'x'.repeat(30)}{unacceptable_type_in_header,1,2,3,4,5,6,7,8,9,\n${' '.repeat(34)}10,11,12,13,14,15,16,17,18,19,20,21,22}`);
  const wide = ['a', ...Array.from({ length: 9 }, (_, i) => (i + 1) * 100_000_000)];
  t.equal('x'.repeat(5) + printTerm(wide, 6), `xxxxx{a,100000000,200000000,300000000,400000000,500000000,600000000,700000000,\n${' '.repeat(8)}800000000,900000000}`);
});

t.test('strings print quoted', async (t) => {
  t.equal(printTerm(['unacceptable_type_in_header', new Chars('BCC'), 'signedint'], 18), '{unacceptable_type_in_header,"BCC",signedint}');
});

t.test('wellFormed: what RabbitMQ can take apart', async (t) => {
  t.ok(wellFormed(1, Buffer.alloc(4)) && !wellFormed(1, Buffer.alloc(3)), 'a method needs its ids');
  t.ok(wellFormed(2, Buffer.alloc(12)) && !wellFormed(2, Buffer.alloc(11)), 'a header needs class, weight and size');
  t.ok(wellFormed(3, Buffer.alloc(0)), 'any body');
  t.ok(wellFormed(8, Buffer.alloc(0)) && !wellFormed(8, Buffer.alloc(1)), 'an empty heartbeat');
  t.notOk(wellFormed(9, Buffer.alloc(0)), 'no other type');
});
