import { loadConfig, redactConfig, type Config, type RunValueKey, VALUE_OPTIONS } from '../config/index.js';
import { ConfigError, InputError } from '../domain/index.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createWorker, type Worker } from '../worker/index.js';
import { orUsage, UsageError } from './usage-error.js';

/** Exit deadline after the first SIGINT/SIGTERM. */
const SHUTDOWN_DEADLINE_MS = 4_500;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Commander's parsed options → the config loader's flags. */
function toFlags(options: Record<string, unknown>) {
  const values: Partial<Record<RunValueKey, string>> = {};
  for (const option of VALUE_OPTIONS) {
    const value = text(options[option.key]);
    if (value !== undefined) values[option.key] = value;
  }
  return {
    ...values,
    simulation: bool(options['simulation']),
    portfolio: bool(options['portfolio']),
    metrics: bool(options['metrics']),
    debug: bool(options['debug']),
    verify: bool(options['verify']),
  };
}

function readConfig(options: Record<string, unknown>): Config {
  return orUsage(() => loadConfig({ flags: toFlags(options), simulationFlags: { backend: text(options['backend']) } }));
}

/** First signal: finish the tick and close; second: exit at once (130/143). */
function handleSignals(worker: Worker, log: Logger): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    log.info({ signal }, 'stopping: finishing the current tick');
    worker.stop();
    setTimeout(() => {
      log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed, exiting without a clean close');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function startOrExplain(worker: Worker, log: Logger): Promise<void> {
  try {
    await worker.start();
  } catch (err) {
    await worker.close();
    if (err instanceof ConfigError || err instanceof InputError) throw new UsageError(err.message, { cause: err });
    log.fatal({ err }, 'start failed');
    // The log may go to a file or a collector: say it on stderr too, in one line, for whoever started it.
    process.stderr.write(`market-intel: start failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

/** `market-intel run`: validate, start, loop until done or signalled, close, exit 0. */
export async function runCommand(options: Record<string, unknown>): Promise<void> {
  const config = readConfig(options);
  const log = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true });
  log.debug({ config: redactConfig(config) }, 'config');
  const worker = orUsage(() => createWorker(config, { logger: log }));
  handleSignals(worker, log);
  await startOrExplain(worker, log);
  try {
    await worker.run();
  } catch (err) {
    log.fatal({ err }, 'tick loop crashed');
    await worker.close();
    process.exit(1);
  }
  await worker.close();
  process.exit(0);
}
