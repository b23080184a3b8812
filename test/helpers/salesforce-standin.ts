// A recorded-contract stand-in for Salesforce: no Salesforce server can run here, so this HTTP
// server answers what Salesforce's documentation says its endpoints answer, for the requests the
// Salesforce source makes:
// - POST /services/oauth2/token: client_credentials (client_id + client_secret) and
//   urn:ietf:params:oauth:grant-type:jwt-bearer (an RS256 JWT whose signature, iss, sub, aud and
//   exp are checked) -> {access_token, instance_url, id, token_type: "Bearer", issued_at,
//   signature}; a refusal is 400 {error, error_description} (invalid_client, invalid_grant).
// - GET /services/data/vNN.N/sobjects/{object}/describe -> {name, fields: [{name, type}]}.
// - GET /services/data/vNN.N/query?q=SOQL -> {totalSize, done, nextRecordsUrl?, records: [{attributes:
//   {type, url}, ...fields}]}, pages of pageSize records with the rest behind nextRecordsUrl
//   (/services/data/vNN.N/query/01g...-N). Only the SOQL shape the source writes is understood
//   (SELECT fields FROM object [WHERE LastModifiedDate > ts OR (LastModifiedDate = ts AND Id > 'id')]
//   ORDER BY LastModifiedDate ASC, Id ASC LIMIT n); anything else is 400 MALFORMED_QUERY.
// - REST errors as documented: [{message, errorCode}] with 401 INVALID_SESSION_ID for an expired
//   token, 400 INVALID_FIELD, 404 NOT_FOUND, 503 SERVER_UNAVAILABLE.
import { createVerify, type KeyObject } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SalesforceRecord {
  Id: string;
  LastModifiedDate: string;
  [field: string]: unknown;
}

export interface StandIn {
  url: string;
  /** Adds records to an object (created on first use); LastModifiedDate as Salesforce writes it. */
  add(object: string, fields: Record<string, unknown>, modifiedAt: Date): SalesforceRecord;
  /** Every access token issued so far stops working (INVALID_SESSION_ID). */
  expireTokens(): void;
  /** The next n API requests answer 503 SERVER_UNAVAILABLE. */
  failNext(n: number): void;
  tokensIssued(): number;
  /** SOQL queries received. */
  queries: string[];
  close(): Promise<void>;
}

export const API = 'v62.0';
const FIELDS = ['Id', 'Name', 'AnnualRevenue', 'Industry', 'BillingAddress', 'LastModifiedDate'];

/** Salesforce's dateTime text: 2024-05-06T10:00:00.000+0000. */
export function sfDateTime(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

export async function startStandIn(opts: { clientId: string; clientSecret: string; username: string; jwtPublicKey?: KeyObject; pageSize: number }): Promise<StandIn> {
  const objects = new Map<string, SalesforceRecord[]>();
  const cursors = new Map<string, { object: string; rest: SalesforceRecord[]; total: number }>();
  const tokens = new Set<string>();
  const queries: string[] = [];
  let issued = 0;
  let seq = 0;
  let failures = 0;
  let url = '';

  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' }).end(JSON.stringify(body));
  const restError = (res: ServerResponse, status: number, errorCode: string, message: string) => json(res, status, [{ message, errorCode }]);

  const tokenGrant = (form: URLSearchParams): string | undefined => {
    if (form.get('grant_type') === 'client_credentials') {
      return form.get('client_id') === opts.clientId && form.get('client_secret') === opts.clientSecret ? undefined : 'invalid_client:invalid client credentials';
    }
    if (form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const [h, c, s] = (form.get('assertion') ?? '').split('.');
      if (!h || !c || !s || !opts.jwtPublicKey) return 'invalid_grant:invalid assertion';
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
      if (header.alg !== 'RS256' || !createVerify('RSA-SHA256').update(`${h}.${c}`).verify(opts.jwtPublicKey, Buffer.from(s, 'base64url'))) return 'invalid_grant:invalid assertion';
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as { iss?: string; sub?: string; aud?: string; exp?: number };
      if (claims.iss !== opts.clientId) return 'invalid_client_id:client identifier invalid';
      if (claims.sub !== opts.username) return "invalid_grant:user hasn't approved this consumer";
      if (claims.aud !== url) return 'invalid_grant:audience is invalid';
      if (!claims.exp || claims.exp * 1000 < Date.now() || claims.exp * 1000 > Date.now() + 5 * 60_000) return 'invalid_grant:expired authorization code';
      return undefined;
    }
    return 'unsupported_grant_type:grant type not supported';
  };

  const page = (object: string, rows: SalesforceRecord[], total: number) => {
    const shown = rows.slice(0, opts.pageSize);
    const rest = rows.slice(opts.pageSize);
    let nextRecordsUrl: string | undefined;
    if (rest.length) {
      const id = `01gD0000002HU6K${String(++seq).padStart(3, '0')}-${total - rest.length}`;
      cursors.set(id, { object, rest, total });
      nextRecordsUrl = `/services/data/${API}/query/${id}`;
    }
    return {
      totalSize: total, done: !rest.length, ...(nextRecordsUrl ? { nextRecordsUrl } : {}),
      records: shown.map((r) => ({ attributes: { type: object, url: `/services/data/${API}/sobjects/${object}/${r.Id}` }, ...r })),
    };
  };

  const query = (res: ServerResponse, soql: string) => {
    queries.push(soql);
    const m = /^SELECT (.+) FROM ([A-Za-z][A-Za-z0-9_]*)(?: WHERE LastModifiedDate > (\S+) OR \(LastModifiedDate = (\S+) AND Id > '([A-Za-z0-9]*)'\))? ORDER BY LastModifiedDate ASC, Id ASC LIMIT (\d+)$/.exec(soql);
    if (!m || m[3] !== m[4]) return restError(res, 400, 'MALFORMED_QUERY', `unexpected token: ${soql.slice(0, 40)}`);
    const [, fieldList, object, ts, , afterId, limit] = m;
    const rows = objects.get(object);
    if (!rows) return restError(res, 400, 'INVALID_TYPE', `sObject type '${object}' is not supported.`);
    const fields = fieldList.split(',').map((f) => f.trim());
    const unknown = fields.find((f) => !FIELDS.includes(f));
    if (unknown) return restError(res, 400, 'INVALID_FIELD', `No such column '${unknown}' on entity '${object}'.`);
    const since = ts ? Date.parse(ts) : undefined;
    if (ts && Number.isNaN(since)) return restError(res, 400, 'MALFORMED_QUERY', `line 1: invalid dateTime ${ts}`);
    const modified = (r: SalesforceRecord) => Date.parse(r.LastModifiedDate.replace('+0000', 'Z'));
    const matching = rows
      .filter((r) => since === undefined || modified(r) > since! || (modified(r) === since && r.Id > afterId))
      .sort((a, b) => modified(a) - modified(b) || (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0))
      .slice(0, Number(limit))
      .map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) as SalesforceRecord);
    json(res, 200, page(object, matching, matching.length));
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', url);
      if (req.method === 'POST' && u.pathname === '/services/oauth2/token') {
        const refusal = tokenGrant(new URLSearchParams(body));
        if (refusal) {
          const [error, description] = refusal.split(/:(.*)/s);
          return json(res, 400, { error, error_description: description });
        }
        const token = `00DTC!${++issued}.token-${Math.random().toString(36).slice(2)}`;
        tokens.add(token);
        return json(res, 200, { access_token: token, instance_url: url, id: `${url}/id/00DTC/005TC`, token_type: 'Bearer', issued_at: String(Date.now()), signature: 'c2lnbmF0dXJl' });
      }
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      if (!auth || !tokens.has(auth[1])) return restError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      if (failures > 0) {
        failures--;
        return restError(res, 503, 'SERVER_UNAVAILABLE', 'Server is temporarily unavailable');
      }
      const base = `/services/data/${API}`;
      if (req.method !== 'GET' || !u.pathname.startsWith(base)) return restError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      const rest = u.pathname.slice(base.length);
      const describe = /^\/sobjects\/([A-Za-z][A-Za-z0-9_]*)\/describe$/.exec(rest);
      if (describe) {
        if (!objects.has(describe[1])) return restError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
        return json(res, 200, { name: describe[1], fields: FIELDS.map((name) => ({ name, type: name === 'Id' ? 'id' : name === 'LastModifiedDate' ? 'datetime' : name === 'BillingAddress' ? 'address' : name === 'AnnualRevenue' ? 'currency' : name === 'Industry' ? 'picklist' : 'string' })) });
      }
      if (rest === '/query') return query(res, u.searchParams.get('q') ?? '');
      const more = /^\/query\/([A-Za-z0-9]+-\d+)$/.exec(rest);
      if (more) {
        const c = cursors.get(more[1]);
        if (!c) return restError(res, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        cursors.delete(more[1]);
        return json(res, 200, page(c.object, c.rest, c.total));
      }
      restError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let ids = 0;
  return {
    url,
    queries,
    add(object, fields, modifiedAt) {
      const rows = objects.get(object) ?? [];
      objects.set(object, rows);
      const r: SalesforceRecord = { Id: `001TC${String(++ids).padStart(10, '0')}AAA`, Name: null, AnnualRevenue: null, Industry: null, BillingAddress: null, ...fields, LastModifiedDate: sfDateTime(modifiedAt) };
      rows.push(r);
      return r;
    },
    expireTokens: () => tokens.clear(),
    failNext: (n) => void (failures = n),
    tokensIssued: () => issued,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
