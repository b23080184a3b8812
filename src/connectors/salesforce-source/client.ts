import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, RetriableError } from '../../errors.js';
import type { SalesforceSourceConfig } from './config.js';

// Salesforce's OAuth 2.0 token endpoint (client credentials, JWT bearer) and REST API, with
// errors classified: a refused grant or a malformed query is a ConfigError, an expired session
// is renewed once, limits and 5xx are RetriableError.

interface Token {
  accessToken: string;
  instanceUrl: string;
}

/** A Salesforce REST error body: [{message, errorCode, fields?}] (the OAuth endpoint: {error, error_description}). */
function errorText(body: string): { code: string; message: string } {
  try {
    const j = JSON.parse(body) as unknown;
    const first = (Array.isArray(j) ? j[0] : j) as { errorCode?: string; message?: string; error?: string; error_description?: string } | undefined;
    if (first?.errorCode) return { code: first.errorCode, message: first.message ?? '' };
    if (first?.error) return { code: first.error, message: first.error_description ?? '' };
  } catch {
    // not JSON: an HTML error page from a proxy, say
  }
  return { code: 'UNKNOWN', message: body.slice(0, 300) };
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class SalesforceClient {
  private token?: Token;
  private privateKey?: KeyObject;

  constructor(private readonly cfg: SalesforceSourceConfig) {}

  private get instance(): string {
    return (this.cfg['salesforce.instance'] ?? '').replace(/\/+$/, '');
  }

  private async jwtAssertion(): Promise<string> {
    if (!this.privateKey) {
      const path = this.cfg['salesforce.jwt.keystore.path']!;
      let pem: string;
      try {
        pem = await readFile(path, 'utf8');
      } catch (e) {
        throw new ConfigError(`Cannot read salesforce.jwt.keystore.path ${path}: ${(e as Error).message}`, [{ key: 'salesforce.jwt.keystore.path', message: (e as Error).message }]);
      }
      if (!pem.includes('-----BEGIN')) throw new ConfigError(`salesforce.jwt.keystore.path ${path} is not a PEM private key (a Java keystore? export the key: openssl pkcs12 -in keystore.p12 -nocerts -out key.pem)`, [{ key: 'salesforce.jwt.keystore.path', message: 'not a PEM private key' }]);
      try {
        this.privateKey = createPrivateKey({ key: pem, ...(this.cfg['salesforce.jwt.keystore.password'] ? { passphrase: this.cfg['salesforce.jwt.keystore.password'] } : {}) });
      } catch (e) {
        throw new ConfigError(`salesforce.jwt.keystore.path ${path}: the private key cannot be read (${(e as Error).message}); check salesforce.jwt.keystore.password`, [{ key: 'salesforce.jwt.keystore.password', message: 'the key cannot be decrypted or parsed' }]);
      }
    }
    // Salesforce's JWT bearer flow: iss = consumer key, sub = username, aud = the login URL, exp within 3 minutes.
    const header = base64url(JSON.stringify({ alg: 'RS256' }));
    const claims = base64url(JSON.stringify({ iss: this.cfg['salesforce.consumer.key'], sub: this.cfg['salesforce.username'], aud: this.instance, exp: Math.floor(Date.now() / 1000) + 180 }));
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(this.privateKey);
    return `${header}.${claims}.${base64url(signature)}`;
  }

  private async authenticate(signal: AbortSignal): Promise<Token> {
    const form = this.cfg['salesforce.grant.type'] === 'JWT_BEARER'
      ? new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await this.jwtAssertion() })
      : new URLSearchParams({ grant_type: 'client_credentials', client_id: this.cfg['salesforce.consumer.key'], client_secret: this.cfg['salesforce.consumer.secret'] ?? '' });
    const url = `${this.instance}/services/oauth2/token`;
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, signal: this.timeout(signal) });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new RetriableError(`Salesforce token request to ${url} failed: ${(e as Error).message}`, { cause: e });
    }
    const body = await res.text();
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      const { code, message } = errorText(body);
      const k = this.cfg['salesforce.grant.type'] === 'JWT_BEARER' ? 'salesforce.username' : 'salesforce.consumer.secret';
      throw new ConfigError(`Salesforce refused the ${this.cfg['salesforce.grant.type']} grant (HTTP ${res.status} ${code}: ${message})`, [{ key: k, message: `${code}: ${message}` }]);
    }
    if (!res.ok) throw new RetriableError(`Salesforce token endpoint answered HTTP ${res.status}: ${body.slice(0, 200)}`);
    const j = JSON.parse(body) as { access_token?: string; instance_url?: string };
    if (!j.access_token || !j.instance_url) throw new RetriableError('Salesforce token endpoint answered without access_token or instance_url');
    this.token = { accessToken: j.access_token, instanceUrl: j.instance_url.replace(/\/+$/, '') };
    return this.token;
  }

  private timeout(signal: AbortSignal): AbortSignal {
    return AbortSignal.any([signal, AbortSignal.timeout(this.cfg['request.timeout.ms'])]);
  }

  /** GET a REST API path (or a nextRecordsUrl), renewing an expired session once. */
  async get<T>(path: string, signal: AbortSignal, what: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = this.token ?? (await this.authenticate(signal));
      const url = `${token.instanceUrl}${path}`;
      let res: Response;
      try {
        res = await fetch(url, { headers: { authorization: `Bearer ${token.accessToken}`, accept: 'application/json' }, signal: this.timeout(signal) });
      } catch (e) {
        if (signal.aborted) throw e;
        throw new RetriableError(`Salesforce ${what} failed: ${(e as Error).message}`, { cause: e });
      }
      const body = await res.text();
      if (res.ok) return JSON.parse(body) as T;
      const { code, message } = errorText(body);
      const problem = `Salesforce ${what} answered HTTP ${res.status} ${code}: ${message}`;
      if (res.status === 401 && attempt === 0) {
        this.token = undefined;
        continue;
      }
      if (res.status === 401) throw new ConfigError(`${problem} (a fresh token was refused too)`, [{ key: 'salesforce.consumer.key', message: code }]);
      if (res.status === 403 && code === 'REQUEST_LIMIT_EXCEEDED') throw new RetriableError(`${problem} (the org's API request limit; retried)`);
      if (res.status === 400 || res.status === 403 || res.status === 404) {
        const k = /FIELD/.test(code) ? 'salesforce.fields' : 'salesforce.object';
        throw new ConfigError(problem, [{ key: k, message: `${code}: ${message}` }]);
      }
      throw new RetriableError(problem);
    }
  }
}
