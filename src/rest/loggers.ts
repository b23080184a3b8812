// /admin/loggers: Connect's (log4j) level names over our pino loggers.
import type { Logger } from '../logging.js';

/** log4j level → pino level. ALL has no pino twin: trace logs everything pino can. */
const TO_PINO: Record<string, string> = {
  OFF: 'silent', FATAL: 'fatal', ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug', TRACE: 'trace', ALL: 'trace',
};
const TO_LOG4J: Record<string, string> = {
  silent: 'OFF', fatal: 'FATAL', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG', trace: 'TRACE',
};

/** Loggers a worker keeps at most, and the longest name PUT /admin/loggers/{name} creates. */
export const MAX_LOGGERS = 1000;
export const MAX_LOGGER_NAME_LENGTH = 256;

/** A PUT that would create a logger past those bounds (the REST API answers 400). */
export class LoggerLimitError extends Error {
  override name = 'LoggerLimitError';
}

export interface LoggerLevel {
  level: string;
  /** Epoch ms of the last change through the API, null when never changed (KIP-976). */
  last_modified: number | null;
}

interface Entry {
  logger: Logger;
  /** Every child created from it since registration: a pino child keeps its own level. */
  children: Set<WeakRef<Logger>>;
  lastModified: number | null;
}

/**
 * The process's named loggers. `root` is the process logger and everything derived from it; other
 * names (worker, rest) are components. Setting a level also sets it on every child logger the
 * named one created (per connector, per task), since pino children do not follow their parent.
 */
export class LoggerLevels {
  private readonly entries = new Map<string, Entry>();

  constructor(root: Logger) {
    this.register('root', root);
  }

  register(name: string, logger: Logger): Logger {
    const entry: Entry = { logger, children: new Set(), lastModified: null };
    // Chained so the ancestors still see children created below this logger.
    const inherited = logger.onChild;
    logger.onChild = (child) => {
      entry.children.add(new WeakRef(child));
      inherited?.call(logger, child);
    };
    this.entries.set(name, entry);
    return logger;
  }

  list(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = {};
    for (const name of [...this.entries.keys()].sort()) out[name] = this.get(name)!;
    return out;
  }

  get(name: string): LoggerLevel | undefined {
    const e = this.entries.get(name === 'ROOT' ? 'root' : name);
    return e && { level: TO_LOG4J[e.logger.level] ?? e.logger.level.toUpperCase(), last_modified: e.lastModified };
  }

  /** Connect's names, any case; undefined for one log4j does not know. */
  static pinoLevel(level: string): string | undefined {
    return TO_PINO[level.toUpperCase()];
  }

  /**
   * Sets the level of a named logger and of those below it (`a` covers `a.b`; root covers all),
   * creating it when no logger has that name yet, as Connect (log4j) does; returns the names set,
   * sorted. `last_modified` changes only on loggers whose level really changed.
   */
  set(name: string, level: string): string[] {
    const pino = LoggerLevels.pinoLevel(level);
    if (!pino) throw new Error(`invalid log level '${level}'.`);
    const isRoot = name.toLowerCase() === 'root';
    if (!isRoot && !this.entries.has(name)) {
      // Every new name is kept for the process's life: bound them, so requests cannot grow memory without end.
      if (name.length > MAX_LOGGER_NAME_LENGTH) throw new LoggerLimitError(`Logger name is longer than ${MAX_LOGGER_NAME_LENGTH} characters.`);
      if (this.entries.size >= MAX_LOGGERS) throw new LoggerLimitError(`This worker already has ${MAX_LOGGERS} loggers; set the level of an existing one (or of a parent name, which covers the names below it).`);
      const root = this.entries.get('root')!.logger;
      const created = this.register(name, root.child({ logger: name }));
      created.level = root.level;
    }
    const targets = isRoot ? [...this.entries.keys()] : [...this.entries.keys()].filter((n) => n === name || n.startsWith(`${name}.`));
    const now = Date.now();
    for (const n of targets) {
      const e = this.entries.get(n)!;
      if (e.logger.level === pino) continue;
      e.logger.level = pino;
      e.lastModified = now;
      for (const ref of e.children) {
        const child = ref.deref();
        if (child) child.level = pino;
        else e.children.delete(ref);
      }
    }
    return targets.sort();
  }
}
