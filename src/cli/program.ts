import { Command, Option } from 'commander';
import { ENV_ONLY, VALUE_OPTIONS } from '../config/options.js';
import { packageVersion } from '../telemetry/version.js';

function describe(help: string, defaultText: string | undefined, env: string | undefined): string {
  const notes = [defaultText === undefined ? undefined : `default: ${defaultText}`, env === undefined ? undefined : `env: ${env}`];
  const suffix = notes.filter((n) => n !== undefined).join('; ');
  return suffix === '' ? help : `${help} (${suffix})`;
}

const ENV_HELP = [
  '',
  'Environment (also read from ./.env; flags win over the environment):',
  ...ENV_ONLY.map((e) => `  ${e.env.padEnd(18)} ${e.help}`),
  '',
  'Sources: auto and yahoo need no API key. replay:sample replays a bundled real data set',
  '(AAPL 2020, MSFT 2021, daily, from Yahoo) with no network at all.',
].join('\n');

/** Adds the options of `run`, each with its default and env variable in the help. */
function addRunOptions(run: Command): Command {
  for (const option of VALUE_OPTIONS) {
    run.addOption(new Option(option.flag, describe(option.help, option.defaultText, option.env)));
  }
  return run
    .option('--no-simulation', 'do not run the agent-based simulation (default: on)')
    .option('--no-portfolio', 'do not trade the paper portfolio (default: on)')
    .option('--no-metrics', 'do not serve /metrics and the health endpoints (default: on)')
    .option('--verify', 'ask two providers per symbol and flag prices that diverge by more than 2% (default: off)')
    .option('--debug', 'log at debug level (same as LOG_LEVEL=debug)')
    .option('--backend <name>', 'simulation backend auto|node-gpu|node|wasm|cpu (default: auto; env: SIM_BACKEND)')
    .addHelpText('after', ENV_HELP);
}

/** The handlers each command calls with its parsed options. */
export type Handlers = {
  readonly run: (options: Record<string, unknown>) => Promise<void>;
  readonly subscribe: (options: Record<string, unknown>) => Promise<void>;
  readonly quote: (symbols: string, options: Record<string, unknown>) => Promise<void>;
  readonly sentiment: (options: Record<string, unknown>) => Promise<void>;
  readonly simulate: (options: Record<string, unknown>) => Promise<void>;
  readonly history: (options: Record<string, unknown>) => Promise<void>;
  readonly dbInit: (options: Record<string, unknown>) => Promise<void>;
};

/** Builds the commander program; parse errors throw instead of exiting. */
export function buildProgram(handlers: Handlers): Command {
  const program = new Command('market-intel')
    .description('Live quotes, sentiment, an agent-based simulation and a paper portfolio, published over ZeroMQ.')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  const run = program.command('run').description('run the worker: fetch or replay quotes each tick and publish them');
  addRunOptions(run).action((options: Record<string, unknown>) => handlers.run(options));
  program
    .command('quote')
    .description('fetch each symbol once through the provider chain and print it with its source and age')
    .argument('<symbols>', 'comma list, e.g. AAPL,MSFT,BTC/USDT')
    .option('--sources <list>', 'provider chain, in order (default: yahoo,polygon,alpaca,ccxt; env: MARKET_SOURCES)')
    .option('--max-quote-age <seconds>', 'refuse quotes older than this, 0 = no check (env: MAX_QUOTE_AGE_S)')
    .option('--json', 'one JSON object on stdout: quotes, failures, skipped providers')
    .action((symbols: string, options: Record<string, unknown>) => handlers.quote(symbols, options));
  program
    .command('sentiment')
    .description("read CNN's (equities) and alternative.me's (crypto) Fear & Greed once and print them")
    .option('--history <days>', 'also print the last N daily values of each index')
    .option('--json', 'one JSON object on stdout: equity, crypto, combined, history, errors')
    .action((options: Record<string, unknown>) => handlers.sentiment(options));
  program
    .command('simulate')
    .description('run the agent-based market simulation alone and print its throughput and the stylized facts of its returns')
    .option('--steps <n>', 'steps to run (default: 1000)')
    .option('--seed <n>', 'seed of every random draw (default: 42; env: SIM_SEED)')
    .option('--agents <n>', 'agents per instrument (default: 1000; env: SIM_AGENTS)')
    .option('--backend <name>', 'auto|node-gpu|node|wasm|cpu (default: auto; env: SIM_BACKEND)')
    .option('--returns-csv <path>', 'write step,instrument,return for every step and instrument')
    .option('--json', 'one JSON object on stdout instead of the table')
    .addHelpText('after', '\nModel parameters come from the environment: NUM_BASE_TICKERS, DERIVS_PER_TICKER, CROSS_SAMPLE_K, ETA,\nPHI_LADDER, SIGNAL_THRESHOLD (see `market-intel run --help`).')
    .action((options: Record<string, unknown>) => handlers.simulate(options));
  program
    .command('history')
    .description('print what the archive holds (MySQL when MYSQL_HOST is set, else the embedded SQLite file), oldest first')
    .option('--symbol <symbol>', 'only this symbol (quotes, signals, trades)')
    .option('--since <when>', 'a duration back from now (90s, 15m, 1h, 7d) or an ISO-8601 time (default: 1h)')
    .option('--kinds <list>', 'comma list of quote, sentiment, signal, sim_state, trade, portfolio (default: all)')
    .option('--limit <n>', 'at most n events (default: 1000)')
    .option('--json', 'one JSON object on stdout: store, count, events')
    .action((options: Record<string, unknown>) => handlers.history(options));
  const db = program.command('db').description('archive database commands');
  db.command('init')
    .description('apply init-db.sql (idempotent) to the configured MySQL/MariaDB, or create the embedded SQLite archive')
    .option('--json', 'one JSON object on stdout')
    .action((options: Record<string, unknown>) => handlers.dbInit(options));
  program
    .command('subscribe')
    .description('print every message of a running worker as one JSON line (late joiners miss earlier messages)')
    .option('--endpoint <url>', 'ZeroMQ endpoint to connect to (default: tcp://127.0.0.1:5555)')
    .option('--topics <prefixes>', 'comma list of topic prefixes, e.g. quote.,trade. (default: all)')
    .option('--count <n>', 'exit after n messages')
    .action((options: Record<string, unknown>) => handlers.subscribe(options));
  for (const command of [...program.commands, ...db.commands]) command.exitOverride().configureOutput({ outputError: () => undefined });
  return program;
}
