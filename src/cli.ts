import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.js';
import { UsageError } from './cli/usage-error.js';

/** Exit code for bad input: flags, environment or input files. */
const EXIT_USAGE = 2;

function fail(message: string): never {
  process.stderr.write(`market-intel: ${message.split('\n')[0]}\n`);
  process.exit(EXIT_USAGE);
}

async function main(argv: readonly string[]): Promise<void> {
  // Each command loads its own modules when it runs: --help and --version stay instant.
  const program = buildProgram({
    run: async (options) => (await import('./cli/run.js')).runCommand(options),
    subscribe: async (options) => (await import('./cli/subscribe.js')).subscribeCommand(options),
    quote: async (symbols, options) => (await import('./cli/quote.js')).quoteCommand(symbols, options),
    sentiment: async (options) => (await import('./cli/sentiment.js')).sentimentCommand(options),
    simulate: async (options) => (await import('./cli/simulate.js')).simulateCommand(options),
    history: async (options) => (await import('./cli/history.js')).historyCommand(options),
    dbInit: async (options) => (await import('./cli/db.js')).dbInitCommand(options),
  });
  try {
    await program.parseAsync([...argv]);
    // One-shot commands are done: do not wait for idle keep-alive sockets.
    process.exit(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) process.exit(0);
      fail(err.message.replace(/^error: /, ''));
    }
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`market-intel: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
