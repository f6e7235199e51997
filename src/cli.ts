import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.js';
import { runCommand } from './cli/run.js';
import { subscribeCommand } from './cli/subscribe.js';
import { UsageError } from './cli/usage-error.js';

/** Exit code for bad input: flags, environment or input files. */
const EXIT_USAGE = 2;

function fail(message: string): never {
  process.stderr.write(`market-intel: ${message.split('\n')[0]}\n`);
  process.exit(EXIT_USAGE);
}

async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram({ run: runCommand, subscribe: subscribeCommand });
  try {
    await program.parseAsync([...argv]);
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
