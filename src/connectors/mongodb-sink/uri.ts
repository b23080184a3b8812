import { MongoClient } from 'mongodb';

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
    new MongoClient(uri, { serverSelectionTimeoutMS: 1 });
    return undefined;
  } catch (e) {
    // The driver's parse errors name the problem, never the password; say which hosts were meant.
    return `${(e as Error).message} (in the connection string for ${redactedHosts(uri)})`;
  }
}
