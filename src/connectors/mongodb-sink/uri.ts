import { createRequire } from 'node:module';
import type { MongoClient as MongoClientType } from 'mongodb';

// The driver is required when a config is validated, not when the connector registry loads
// (it costs ~25 MiB in a worker that never runs this connector); validation is synchronous.
const requireFrom = createRequire(import.meta.url);

/**
 * The hosts of a MongoDB connection string, without scheme, credentials or options: safe to log.
 * (Not the scheme either: a URI of just scheme and host would otherwise be logged whole, and the
 * runtime masks a secret's whole value wherever it appears.)
 */
export function redactedHosts(uri: string): string {
  const m = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)/.exec(uri.trim());
  return m ? m[1] : '(a connection.uri that is not a MongoDB connection string)';
}

/** Why the driver refuses the connection string, or undefined when it parses (nothing is connected). */
export function connectionUriProblem(uri: string): string | undefined {
  try {
    const { MongoClient } = requireFrom('mongodb') as { MongoClient: typeof MongoClientType };
    new MongoClient(uri, { serverSelectionTimeoutMS: 1 });
    return undefined;
  } catch (e) {
    // The driver's parse errors name the problem, never the password; say which hosts were meant.
    return `${(e as Error).message} (in the connection string for ${redactedHosts(uri)})`;
  }
}
