// REST settings from worker properties, with Kafka Connect's names where it has them.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { parseUserList, parseUsersFile, type Credentials } from './auth.js';

export interface Listener {
  protocol: 'http' | 'https';
  host: string;
  port: number;
}

export interface RestSettings {
  listeners: Listener[];
  /** PEM files for https listeners. */
  tls?: { certFile: string; keyFile: string; caFile?: string; keyPassword?: string; clientAuth: 'none' | 'requested' | 'required' };
  auth: { users?: string; usersFile?: string; token?: string; tokenFile?: string };
  bodyLimit: number;
  requestTimeoutMs: number;
}

export const DEFAULT_REST_HOST = '127.0.0.1';
export const DEFAULT_REST_PORT = 8083;

const LISTENER = /^(https?):\/\/(\[[^\]]+\]|[^:/[\]]*):(\d{1,5})\/?$/i;

/**
 * Connect's `listeners` list (`http://host:port,https://host:port`). An empty host binds every
 * interface, as in Connect; `[::1]` is IPv6.
 */
export function parseListeners(text: string): Listener[] {
  const out = text.split(',').map((s) => s.trim()).filter(Boolean).map((l) => {
    const m = LISTENER.exec(l);
    if (!m || Number(m[3]) > 65535) throw new ConfigError(`Invalid listener "${l}": expected http://host:port or https://host:port`, [{ key: 'listeners', message: `Invalid listener "${l}"` }]);
    const host = m[2] === '' ? '0.0.0.0' : m[2].replace(/^\[|\]$/g, '');
    return { protocol: m[1].toLowerCase() as Listener['protocol'], host, port: Number(m[3]) };
  });
  if (out.length === 0) throw new ConfigError('listeners is empty', [{ key: 'listeners', message: 'must list at least one listener' }]);
  return out;
}

const positiveInt = (props: Record<string, string>, key: string, def: number): number => {
  const v = props[key];
  if (v === undefined || v.trim() === '') return def;
  if (!/^\d+$/.test(v.trim()) || Number(v) <= 0) throw new ConfigError(`${key} must be a positive whole number`, [{ key, message: 'must be a positive whole number' }]);
  return Number(v);
};

/**
 * Whether and where to serve REST. `tconnect worker` serves it only when `listeners`, `rest.port`
 * or `rest.host.name` is set; distributed and standalone default to http://127.0.0.1:8083 (Connect
 * listens on every interface by default; we bind loopback unless told otherwise).
 */
export function restSettings(props: Record<string, string>, serveByDefault: boolean): RestSettings | undefined {
  const configured = ['listeners', 'rest.port', 'rest.host.name'].some((k) => (props[k] ?? '').trim() !== '');
  if (!configured && !serveByDefault) return undefined;
  const listeners = (props.listeners ?? '').trim()
    ? parseListeners(props.listeners)
    : [{ protocol: 'http' as const, host: props['rest.host.name']?.trim() || DEFAULT_REST_HOST, port: positiveInt(props, 'rest.port', DEFAULT_REST_PORT) }];

  const javaTls = Object.keys(props).find((k) => /(^|\.)ssl\.keystore\.location$/.test(k) && (k.startsWith('listeners.https.') || k.startsWith('ssl.')));
  const certFile = props['rest.ssl.cert.file']?.trim();
  const keyFile = props['rest.ssl.key.file']?.trim();
  if (listeners.some((l) => l.protocol === 'https') && (!certFile || !keyFile)) {
    const hint = javaTls ? ` (${javaTls} is a Java keystore, which we do not read: convert it to PEM, e.g. openssl pkcs12 -in ks.p12 -nodes)` : '';
    throw new ConfigError(`An https listener needs rest.ssl.cert.file and rest.ssl.key.file (PEM)${hint}`, [{ key: 'rest.ssl.cert.file', message: 'required for https listeners' }]);
  }
  const clientAuth = (props['rest.ssl.client.auth'] ?? props['listeners.https.ssl.client.auth'] ?? 'none').trim().toLowerCase();
  if (!['none', 'requested', 'required'].includes(clientAuth)) {
    throw new ConfigError('rest.ssl.client.auth must be none, requested or required', [{ key: 'rest.ssl.client.auth', message: 'must be none, requested or required' }]);
  }
  const opt = (k: string) => (props[k]?.trim() ? props[k].trim() : undefined);
  return {
    listeners,
    ...(certFile && keyFile ? {
      tls: { certFile, keyFile, caFile: opt('rest.ssl.ca.file'), keyPassword: props['rest.ssl.key.password'], clientAuth: clientAuth as 'none' | 'requested' | 'required' },
    } : {}),
    auth: { users: opt('rest.auth.basic.users'), usersFile: opt('rest.auth.basic.users.file'), token: opt('rest.auth.token'), tokenFile: opt('rest.auth.token.file') },
    bodyLimit: positiveInt(props, 'rest.request.max.bytes', 1024 * 1024),
    requestTimeoutMs: positiveInt(props, 'rest.request.timeout.ms', 90_000),
  };
}

/** Reads the credentials the settings name (inline values and files). */
export async function loadCredentials(auth: RestSettings['auth']): Promise<Credentials> {
  const users = new Map<string, string>();
  if (auth.users) for (const [u, p] of parseUserList(auth.users)) users.set(u, p);
  if (auth.usersFile) for (const [u, p] of parseUsersFile(await readFile(auth.usersFile, 'utf8'))) users.set(u, p);
  const tokens = [auth.token, auth.tokenFile ? (await readFile(auth.tokenFile, 'utf8')).trim() : undefined].filter((t): t is string => !!t);
  return { users, tokens };
}
