// Optional HTTP basic auth and bearer token for the REST API.
import { createHash, timingSafeEqual } from 'node:crypto';
import { parse as parseProperties } from 'dot-properties';

export interface Credentials {
  /** user → password */
  users: Map<string, string>;
  tokens: string[];
}

/** `alice:pw1,bob:pw2` (rest.auth.basic.users); a password may contain ':' but not ','. */
export function parseUserList(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = entry.indexOf(':');
    if (i <= 0) throw new Error('rest.auth.basic.users: each entry must be user:password');
    users.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return users;
}

/**
 * A users file (rest.auth.basic.users.file) as Jetty's/Connect's PropertyFileLoginModule writes it,
 * `user: password[,role…]` (or `user=password`); roles are ignored.
 */
export function parseUsersFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [user, value] of Object.entries(parseProperties(text, false) as Record<string, string>)) {
    users.set(user, value.split(',')[0].trim());
  }
  return users;
}

/** Compares through hashes so neither length nor content leaks through timing. */
function same(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** Whether an Authorization header carries valid credentials. */
export function authorized(header: string | undefined, creds: Credentials): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return creds.tokens.some((t) => same(t, value));
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return false;
    const expected = creds.users.get(decoded.slice(0, i));
    // Compare anyway, so unknown users take as long as wrong passwords.
    return same(expected ?? '\u0000', decoded.slice(i + 1)) && expected !== undefined;
  }
  return false;
}

/** The WWW-Authenticate challenges a 401 carries: the schemes that are configured. */
export function challenges(creds: Credentials): string[] {
  return [
    ...(creds.users.size ? ['Basic realm="temporal-connect", charset="UTF-8"'] : []),
    ...(creds.tokens.length ? ['Bearer realm="temporal-connect"'] : []),
  ];
}

export const enabled = (creds: Credentials | undefined): creds is Credentials => !!creds && (creds.users.size > 0 || creds.tokens.length > 0);
