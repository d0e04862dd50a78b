export * from './errors.js';
export * from './field-value.js';
export { Reader, MAX_TABLE_DEPTH } from './reader.js';
export { Writer } from './writer.js';
export { FrameParser, type FrameSink } from './frame-parser.js';
export { CommandAssembler, type Command } from './command-assembler.js';
export { writeMethodFrame, writeContent, writeHeartbeat } from './frames.js';
export * from './spec.generated.js';
