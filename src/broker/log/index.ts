export { FLUSH_NEVER, Log, type LogOptions, type LogRead, type LogReadData, type LogReadError, type LogRef } from './log.ts';
