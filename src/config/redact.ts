import type { Config } from './schema.js';

/** What a secret is replaced with wherever config is printed or logged. */
export const REDACTED = '[redacted]';

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    return parsed.toString();
  } catch {
    return REDACTED;
  }
}

function mask(value: string | undefined): string | undefined {
  return value === undefined ? undefined : REDACTED;
}

/** A copy of the config that is safe to print: every credential is masked. */
export function redactConfig(config: Config): Config {
  const redis = config.redis
    ? 'url' in config.redis
      ? { url: redactUrl(config.redis.url) }
      : { ...config.redis, password: mask(config.redis.password) }
    : undefined;
  return {
    ...config,
    providers: {
      ...config.providers,
      polygonApiKey: mask(config.providers.polygonApiKey),
      alpacaKey: mask(config.providers.alpacaKey),
      alpacaSecret: mask(config.providers.alpacaSecret),
    },
    redis,
    mysql: config.mysql ? { ...config.mysql, password: mask(config.mysql.password) } : undefined,
    influx: config.influx ? { ...config.influx, token: mask(config.influx.token) } : undefined,
  };
}

/** Every secret value configured, so logs and responses can be checked for leaks. */
export function secretValues(config: Config): readonly string[] {
  const redisSecrets =
    config.redis && 'url' in config.redis
      ? [decodeURIComponent(new URL(config.redis.url).password)]
      : [config.redis?.password];
  return [
    config.providers.polygonApiKey,
    config.providers.alpacaKey,
    config.providers.alpacaSecret,
    config.mysql?.password,
    config.influx?.token,
    ...redisSecrets,
  ].filter((s): s is string => s !== undefined && s !== '');
}
