import { dialectForScheme, urlSchemes } from './dialects.js';

// Parses the JDBC URLs users already have in their Kafka Connect configs:
//   jdbc:<scheme>://[user[:password]@]host[:port][,host2[:port]]/[database][?key=value&...]
// where <scheme> is one of a registered dialect's (mysql and mariadb for MySqlDatabaseDialect).

export interface JdbcHost {
  host: string;
  port: number;
}

export interface JdbcUrl {
  /** The URL's scheme, lower case (mysql, mariadb): it picks the dialect. */
  protocol: string;
  /** Tried in order on each connection attempt (Connector/J's simple failover). */
  hosts: JdbcHost[];
  database: string | null;
  user: string | null;
  password: string | null;
  /** Query parameters, percent-decoded, keys as written. */
  params: Record<string, string>;
}

export class JdbcUrlError extends Error {
  override name = 'JdbcUrlError';
}

const PREFIX = /^jdbc:([a-z0-9]+)(?::[a-z]+)?:\/\//i;

export function parseJdbcUrl(url: string): JdbcUrl {
  const trimmed = url.trim();
  const m = PREFIX.exec(trimmed);
  const dialect = m ? dialectForScheme(m[1]) : undefined;
  if (!m || !dialect) throw new JdbcUrlError(`must start with ${urlSchemes().map((s) => `jdbc:${s}://`).join(' or ')}`);
  const defaultPort = dialect.defaultPort;
  let rest = trimmed.slice(m[0].length);

  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash + 1) : '';

  let user: string | null = null;
  let password: string | null = null;
  let hostList = authority;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const creds = authority.slice(0, at);
    hostList = authority.slice(at + 1);
    const colon = creds.indexOf(':');
    user = decode(colon >= 0 ? creds.slice(0, colon) : creds);
    password = colon >= 0 ? decode(creds.slice(colon + 1)) : null;
  }

  const hosts = hostList === '' ? [{ host: 'localhost', port: defaultPort }] : hostList.split(',').map((h) => parseHost(h, defaultPort));
  const params: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    params[decode(eq >= 0 ? pair.slice(0, eq) : pair)] = eq >= 0 ? decode(pair.slice(eq + 1)) : '';
  }
  if (user === null && params.user !== undefined) user = params.user;
  if (password === null && params.password !== undefined) password = params.password;

  return {
    protocol: m[1].toLowerCase(),
    hosts,
    database: path === '' ? null : decode(path),
    user,
    password,
    params,
  };
}

function parseHost(spec: string, defaultPort: number): JdbcHost {
  const s = spec.trim();
  if (s === '') throw new JdbcUrlError('has an empty host');
  // [::1]:3306 for IPv6
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1], port: port(v6[2], defaultPort) };
  const colon = s.lastIndexOf(':');
  if (colon >= 0) return { host: s.slice(0, colon), port: port(s.slice(colon + 1), defaultPort) };
  return { host: s, port: defaultPort };
}

function port(p: string | undefined, defaultPort: number): number {
  if (p === undefined || p === '') return defaultPort;
  if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new JdbcUrlError(`has an invalid port ${p}`);
  return Number(p);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new JdbcUrlError('has invalid percent-encoding');
  }
}

/** The URL with any password replaced by ****, for logs and error messages. */
export function redactJdbcUrl(url: string): string {
  return url
    .replace(/(:\/\/[^/@:]*:)[^/@]*@/, '$1****@')
    .replace(/([?&]password=)[^&]*/gi, '$1****');
}
