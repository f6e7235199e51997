-- market-intel archive schema for MySQL 8 / MariaDB 10.6+.
-- Idempotent: safe to apply again (CREATE ... IF NOT EXISTS, and each later
-- version's ALTERs run only on tables that do not have them yet).
-- Money and prices are DECIMAL (exact); instants are DATETIME(3) in UTC.
-- Apply with `market-intel db init` (storage issue) or:
--   mysql -h HOST -u USER -p < init-db.sql

CREATE DATABASE IF NOT EXISTS market_memory CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
USE market_memory;

CREATE TABLE IF NOT EXISTS schema_version (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  applied_at  DATETIME(3)  NOT NULL
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS runs (
  run_id        CHAR(36)      NOT NULL PRIMARY KEY,
  started_at    DATETIME(3)   NOT NULL,
  ended_at      DATETIME(3)   NULL,
  source        VARCHAR(512)  NOT NULL,
  symbols       TEXT          NOT NULL,
  capital_usd   DECIMAL(20,2) NOT NULL,
  stop_reason   VARCHAR(32)   NULL,
  -- Replay position that was last completed: a restart resumes after it.
  last_tick_ts  DATETIME(3)   NULL,
  KEY idx_runs_started (started_at)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS quotes (
  id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_id   CHAR(36)        NOT NULL,
  symbol   VARCHAR(32)     NOT NULL,
  ts       DATETIME(3)     NOT NULL,
  price    DECIMAL(24,10)  NOT NULL,
  bid      DECIMAL(24,10)  NULL,
  ask      DECIMAL(24,10)  NULL,
  volume   DECIMAL(30,10)  NULL,
  source   VARCHAR(32)     NOT NULL,
  UNIQUE KEY uq_quotes_run_symbol_ts (run_id, symbol, ts, source),
  KEY idx_quotes_symbol_ts (symbol, ts)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS sentiment (
  id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_id   CHAR(36)        NOT NULL,
  market   VARCHAR(16)     NOT NULL,
  ts       DATETIME(3)     NOT NULL,
  value    DECIMAL(6,2)    NOT NULL,
  label    VARCHAR(32)     NOT NULL,
  source   VARCHAR(32)     NOT NULL,
  UNIQUE KEY uq_sentiment_run_market_ts (run_id, market, ts, source),
  KEY idx_sentiment_market_ts (market, ts)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS signals (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_id      CHAR(36)        NOT NULL,
  symbol      VARCHAR(32)     NOT NULL,
  ts          DATETIME(3)     NOT NULL,
  action      VARCHAR(4)      NOT NULL,
  confidence  DECIMAL(7,6)    NOT NULL,
  source      VARCHAR(32)     NOT NULL,
  UNIQUE KEY uq_signals_run_symbol_ts (run_id, symbol, ts),
  KEY idx_signals_symbol_ts (symbol, ts)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS sim_states (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_id        CHAR(36)        NOT NULL,
  step          BIGINT UNSIGNED NOT NULL,
  ts            DATETIME(3)     NOT NULL,
  global_state  DOUBLE          NOT NULL,
  z3            DOUBLE          NOT NULL,
  backend       VARCHAR(16)     NOT NULL,
  UNIQUE KEY uq_sim_states_run_step (run_id, step),
  KEY idx_sim_states_ts (ts)
) ENGINE=InnoDB;

-- The ledger: written durably before a trade counts.
CREATE TABLE IF NOT EXISTS trades (
  trade_id      VARCHAR(64)     NOT NULL PRIMARY KEY,
  run_id        CHAR(36)        NOT NULL,
  symbol        VARCHAR(32)     NOT NULL,
  ts            DATETIME(3)     NOT NULL,
  side          VARCHAR(4)      NOT NULL,
  qty           DECIMAL(30,10)  NOT NULL,
  price         DECIMAL(24,10)  NOT NULL,
  fee_usd       DECIMAL(20,2)   NOT NULL,
  pnl_usd       DECIMAL(20,2)   NULL,
  reason        VARCHAR(16)     NOT NULL,
  KEY idx_trades_symbol_ts (symbol, ts),
  KEY idx_trades_run (run_id, ts)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS portfolio_snapshots (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_id            CHAR(36)        NOT NULL,
  ts                DATETIME(3)     NOT NULL,
  equity_usd        DECIMAL(20,2)   NOT NULL,
  cash_usd          DECIMAL(20,2)   NOT NULL,
  exposure          DECIMAL(9,6)    NOT NULL,
  realized_pnl_usd  DECIMAL(20,2)   NOT NULL,
  unrealized_pnl_usd DECIMAL(20,2)  NOT NULL,
  positions         JSON            NOT NULL,
  UNIQUE KEY uq_snapshots_run_ts (run_id, ts),
  KEY idx_snapshots_ts (ts)
) ENGINE=InnoDB;

INSERT IGNORE INTO schema_version (version, applied_at) VALUES (1, UTC_TIMESTAMP(3));

-- Version 2: every event row carries its event id (`${runId}:${kind}:${seq}`,
-- the port's idempotency key), and only that id, or a key that names the same
-- thing (a run's trade id, a run's simulation step), is unique. The version 1
-- keys on (run, symbol/market, ts[, source]) could merge distinct events: two
-- signals from different sources at one instant, two snapshots in one tick,
-- the same trade id in two runs (trade ids are unique within a run only).
-- They stay as plain indexes; each table gains an index on ts alone, the
-- archive's query. Snapshots keep total P&L as given. Each table changes in one
-- ALTER, run only while the table lacks event_id, so this section is idempotent
-- and works on MySQL 8 (no ADD COLUMN IF NOT EXISTS there). Version 1 tables
-- never held events (nothing wrote them), so event_id needs no backfill.
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()
    AND table_name = 'quotes' AND column_name = 'event_id') = 0,
  'ALTER TABLE quotes ADD COLUMN event_id VARCHAR(128) NOT NULL AFTER id, ADD UNIQUE KEY uq_quotes_event (event_id),
     DROP INDEX uq_quotes_run_symbol_ts, ADD KEY idx_quotes_run_symbol_ts (run_id, symbol, ts), ADD KEY idx_quotes_ts (ts)',
  'DO 0');
PREPARE ddl FROM @ddl; EXECUTE ddl; DEALLOCATE PREPARE ddl;

SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()
    AND table_name = 'sentiment' AND column_name = 'event_id') = 0,
  'ALTER TABLE sentiment ADD COLUMN event_id VARCHAR(128) NOT NULL AFTER id, ADD UNIQUE KEY uq_sentiment_event (event_id),
     DROP INDEX uq_sentiment_run_market_ts, ADD KEY idx_sentiment_run_market_ts (run_id, market, ts), ADD KEY idx_sentiment_ts (ts)',
  'DO 0');
PREPARE ddl FROM @ddl; EXECUTE ddl; DEALLOCATE PREPARE ddl;

SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()
    AND table_name = 'signals' AND column_name = 'event_id') = 0,
  'ALTER TABLE signals ADD COLUMN event_id VARCHAR(128) NOT NULL AFTER id, ADD UNIQUE KEY uq_signals_event (event_id),
     DROP INDEX uq_signals_run_symbol_ts, ADD KEY idx_signals_run_symbol_ts (run_id, symbol, ts), ADD KEY idx_signals_ts (ts)',
  'DO 0');
PREPARE ddl FROM @ddl; EXECUTE ddl; DEALLOCATE PREPARE ddl;

SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()
    AND table_name = 'sim_states' AND column_name = 'event_id') = 0,
  'ALTER TABLE sim_states ADD COLUMN event_id VARCHAR(128) NOT NULL AFTER id, ADD UNIQUE KEY uq_sim_states_event (event_id)',
  'DO 0');
PREPARE ddl FROM @ddl; EXECUTE ddl; DEALLOCATE PREPARE ddl;

-- trades: the primary key was trade_id alone; an AUTO_INCREMENT id (write
-- order, like the other tables) replaces it and (run_id, trade_id) is unique.
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()
    AND table_name = 'trades' AND column_name = 'event_id') = 0,
  'ALTER TABLE trades DROP PRIMARY KEY,
     ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST,
     ADD COLUMN event_id VARCHAR(128) NOT NULL AFTER id, ADD UNIQUE KEY uq_trades_event (event_id),
     ADD UNIQUE KEY uq_trades_run_trade (run_id, trade_id), ADD KEY idx_trades_ts (ts)',
  'DO 0');
PREPARE ddl FROM @ddl; EXECUTE ddl; DEALLOCATE PREPARE ddl;

SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()
    AND table_name = 'portfolio_snapshots' AND column_name = 'event_id') = 0,
  'ALTER TABLE portfolio_snapshots ADD COLUMN event_id VARCHAR(128) NOT NULL AFTER id,
     ADD COLUMN total_pnl_usd DECIMAL(20,2) NOT NULL AFTER unrealized_pnl_usd,
     ADD UNIQUE KEY uq_snapshots_event (event_id),
     DROP INDEX uq_snapshots_run_ts, ADD KEY idx_snapshots_run_ts (run_id, ts)',
  'DO 0');
PREPARE ddl FROM @ddl; EXECUTE ddl; DEALLOCATE PREPARE ddl;

INSERT IGNORE INTO schema_version (version, applied_at) VALUES (2, UTC_TIMESTAMP(3));

-- Version 3: the portfolio's ledger lives in the archive. A book is one
-- paper portfolio (`live`, `replay`, or a name given with --book); its
-- records are appended in seq order (1, 2, 3, … with no gaps) in one
-- transaction per tick, before any trade of that tick counts, and the
-- portfolio is rebuilt from them at start. ledger_meta holds the book's run
-- state beside them (last marks, the replay tick last completed), written in
-- the same transaction. payload is the manager's JSON, stored as given.
CREATE TABLE IF NOT EXISTS ledger_records (
  book     VARCHAR(64)     NOT NULL,
  seq      BIGINT UNSIGNED NOT NULL,
  kind     VARCHAR(32)     NOT NULL,
  ts       DATETIME(3)     NOT NULL,
  payload  MEDIUMTEXT      NOT NULL,
  PRIMARY KEY (book, seq),
  KEY idx_ledger_records_ts (ts)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS ledger_meta (
  book      VARCHAR(64)  NOT NULL,
  meta_key  VARCHAR(64)  NOT NULL,
  value     MEDIUMTEXT   NOT NULL,
  PRIMARY KEY (book, meta_key)
) ENGINE=InnoDB;

INSERT IGNORE INTO schema_version (version, applied_at) VALUES (3, UTC_TIMESTAMP(3));
