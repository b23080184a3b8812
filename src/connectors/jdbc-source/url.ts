// Parses the JDBC URLs users already have in their Kafka Connect configs:
//   jdbc:mysql://[user[:password]@]host[:port][,host2[:port]]/[database][?key=value&...]
//   jdbc:mariadb://...   (same shape)

export interface JdbcHost {
  host: string;
  port: number;
}

export interface JdbcUrl {
  protocol: 'mysql' | 'mariadb';
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

const DEFAULT_PORT = 3306;
const PREFIX = /^jdbc:(mysql|mariadb)(?::[a-z]+)?:\/\//i;

export function parseJdbcUrl(url: string): JdbcUrl {
  const trimmed = url.trim();
  const m = PREFIX.exec(trimmed);
  if (!m) throw new JdbcUrlError('must start with jdbc:mysql:// or jdbc:mariadb://');
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

  const hosts = hostList === '' ? [{ host: 'localhost', port: DEFAULT_PORT }] : hostList.split(',').map(parseHost);
  const params: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    params[decode(eq >= 0 ? pair.slice(0, eq) : pair)] = eq >= 0 ? decode(pair.slice(eq + 1)) : '';
  }
  if (user === null && params.user !== undefined) user = params.user;
  if (password === null && params.password !== undefined) password = params.password;

  return {
    protocol: m[1].toLowerCase() as 'mysql' | 'mariadb',
    hosts,
    database: path === '' ? null : decode(path),
    user,
    password,
    params,
  };
}

function parseHost(spec: string): JdbcHost {
  const s = spec.trim();
  if (s === '') throw new JdbcUrlError('has an empty host');
  // [::1]:3306 for IPv6
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1], port: port(v6[2]) };
  const colon = s.lastIndexOf(':');
  if (colon >= 0) return { host: s.slice(0, colon), port: port(s.slice(colon + 1)) };
  return { host: s, port: DEFAULT_PORT };
}

function port(p: string | undefined): number {
  if (p === undefined || p === '') return DEFAULT_PORT;
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
