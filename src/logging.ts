import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values are secrets wherever they appear in a log object: generic names plus
 * Kafka Connect's and Kafka clients' password-type keys. Config-provider references
 * (${env:…}) are harmless but are redacted too, since the key alone decides.
 */
export const SECRET_KEYS = [
  'password', 'passwd', 'secret', 'token', 'apiKey', 'api_key', 'authorization',
  'connection.password', 'ssl.key.password', 'ssl.keystore.password', 'ssl.truststore.password',
  'sasl.jaas.config', 'sasl.password', 'basic.auth.user.info', 'schema.registry.basic.auth.user.info',
];

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Paths for the keys at the top level and up to three levels down ({config: {...}}, {connector: {config: {...}}}). */
function redactPaths(keys: readonly string[]): string[] {
  const paths: string[] = [];
  for (const k of keys) {
    const leaf = /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
    paths.push(leaf.startsWith('.') ? k : leaf, `*${leaf}`, `*.*${leaf}`, `*.*.*${leaf}`);
  }
  return paths;
}

function levelFromEnv(): string {
  const v = (process.env.TCONNECT_LOG_LEVEL ?? '').trim().toLowerCase();
  return (LEVELS as readonly string[]).includes(v) ? v : 'info';
}

/**
 * The process's structured logger (JSON lines). Level from TCONNECT_LOG_LEVEL (default info).
 * The worker logs to stdout; the CLI passes stderr so its answers on stdout stay parseable.
 */
export function createLogger(bindings: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level: levelFromEnv(),
      base: { pid: process.pid },
      redact: { paths: redactPaths(SECRET_KEYS), censor: '[hidden]' },
    },
    destination,
  );
  return Object.keys(bindings).length ? logger.child(bindings) : logger;
}
