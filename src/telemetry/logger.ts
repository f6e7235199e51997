import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/** Options of the process logger. */
export type LoggerOptions = {
  readonly level: string;
  /** Human-readable lines (a TTY); JSON otherwise. */
  readonly pretty: boolean;
  /** Where lines go; default stdout. */
  readonly destination?: DestinationStream;
};

/**
 * Field paths whose values are secrets: masked if they ever reach a log line.
 * Config is logged through redactConfig; this is the second line of defence.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'polygonApiKey',
  '*.polygonApiKey',
  'alpacaKey',
  '*.alpacaKey',
  'alpacaSecret',
  '*.alpacaSecret',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * The process logger: pino JSON on stdout, readable lines on a TTY.
 * Components take a child logger with `{ component }`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.pretty) {
    const stream = pretty({
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      singleLine: true,
      ignore: 'pid,hostname,component,detail',
      // One readable line per event: "bus: started publishing on tcp://*:5555".
      messageFormat: '{if component}{component}: {end}{msg}{if detail} {detail}{end}',
      destination: options.destination ?? 1,
    });
    return pino(base, stream);
  }
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
