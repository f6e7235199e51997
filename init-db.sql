-- market-intel archive schema for MySQL 8 / MariaDB 10.6+.
-- Idempotent: safe to apply again (CREATE ... IF NOT EXISTS everywhere).
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
