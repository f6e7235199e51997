export { loadConfig, SAMPLE_REPLAY_PATH, type ConfigInput, type ConfigSwitches } from './load.js';
export { redactConfig, secretValues, REDACTED } from './redact.js';
export { DEFAULTS, VALUE_OPTIONS, ENV_ONLY, type ValueOption, type RunValueKey } from './options.js';
export { PROVIDERS, LOG_LEVELS, type ProviderName, type SourceSetting, type LogLevel } from './fields.js';
export type { Config, RedisSettings, MysqlSettings, InfluxSettings } from './schema.js';
export { readSimulationSettings, type SimulationSettings, type SimulationFlags } from './simulation.js';
