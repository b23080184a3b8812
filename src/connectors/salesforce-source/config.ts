import { z } from 'zod';
import { defineConfig, key, type ConfigOf } from '../../config/define.js';

// Salesforce SObjects polled through the REST API's query resource by LastModifiedDate. Key
// names are those of Confluent's Salesforce connectors where they exist (salesforce.instance,
// salesforce.grant.type, salesforce.username, salesforce.consumer.key/secret,
// salesforce.jwt.keystore.path/password, salesforce.object, salesforce.version, kafka.topic,
// poll.interval.ms, salesforce.initial.start).

const CONN = 'Connection';
const QUERY = 'Query';

const apiVersion = key.custom<string>(
  { type: 'STRING', importance: 'LOW', group: CONN, default: '62.0', documentation: 'The REST API version, as in /services/data/v62.0/ (a leading v is accepted).' },
  z.preprocess((v) => (v === '' || v === null || v === undefined ? '62.0' : v), z.string().trim().transform((s, ctx) => {
    const m = /^v?(\d{2,3}\.\d)$/.exec(s);
    if (!m) ctx.addIssue({ code: 'custom', message: 'must be an API version such as 62.0' });
    return m ? m[1] : s;
  })),
);

export const salesforceSourceConfig = defineConfig({
  'salesforce.instance': key.string({ default: 'https://login.salesforce.com', importance: 'HIGH', group: CONN, doc: 'Where to authenticate: https://login.salesforce.com, https://test.salesforce.com, or the org\'s My Domain URL (required for CLIENT_CREDENTIALS). Queries go to the instance_url the token endpoint answers.' }),
  'salesforce.grant.type': key.enum(['JWT_BEARER', 'CLIENT_CREDENTIALS'] as const, { default: 'CLIENT_CREDENTIALS', caseInsensitive: true, importance: 'HIGH', group: CONN, doc: 'The OAuth 2.0 flow: CLIENT_CREDENTIALS (salesforce.consumer.key + salesforce.consumer.secret) or JWT_BEARER (salesforce.consumer.key + salesforce.username + a private key in salesforce.jwt.keystore.path). The username-password flow, which Salesforce is retiring, is not offered.' }),
  'salesforce.consumer.key': key.string({ required: true, importance: 'HIGH', group: CONN, doc: 'The consumer key (client id) of the connected app.' }),
  'salesforce.consumer.secret': key.password({ importance: 'HIGH', group: CONN, doc: 'The consumer secret of the connected app (CLIENT_CREDENTIALS).' }),
  'salesforce.username': key.string({ importance: 'HIGH', group: CONN, doc: 'JWT_BEARER: the user the token is issued for (the JWT\'s sub).' }),
  'salesforce.jwt.keystore.path': key.string({ group: CONN, doc: 'JWT_BEARER: a PEM file holding the connected app certificate\'s RSA private key (PKCS#8 or PKCS#1, encrypted or not). Java keystores are not read: export the key with `openssl pkcs12 -in keystore.p12 -nocerts -out key.pem`.' }),
  'salesforce.jwt.keystore.password': key.password({ group: CONN, doc: 'JWT_BEARER: the passphrase of an encrypted PEM private key.' }),
  'salesforce.version': apiVersion,
  'salesforce.object': key.list({ required: true, importance: 'HIGH', group: QUERY, doc: 'The SObjects to read (API names, comma-separated), split over up to tasks.max tasks.', example: 'Account,Contact' }),
  'salesforce.fields': key.list({ group: QUERY, doc: 'The fields to read (the same for every object); empty: every field the object\'s describe lists but compound address and location fields (their parts are fields too). Id and LastModifiedDate are always read; types come from the describe.' }),
  'kafka.topic': key.string({ required: true, importance: 'HIGH', group: QUERY, doc: 'The topic records are written to; ${object} in it is replaced by the SObject\'s name.', example: 'salesforce-${object}' }),
  'salesforce.initial.start': key.enum(['all', 'latest'] as const, { default: 'all', caseInsensitive: true, group: QUERY, doc: 'Where an object without a stored offset starts: all (every record) or latest (records modified after the task first starts).' }),
  'poll.interval.ms': key.int({ default: 10000, min: 0, type: 'LONG', group: QUERY, doc: 'How often each object is queried for records modified since its offset.' }),
  'batch.max.rows': key.int({ default: 2000, min: 1, max: 50000, group: QUERY, doc: 'Records one query asks for at most (SOQL LIMIT); the rest follow in the next query from the new offset. Pages of a query are fetched through nextRecordsUrl.' }),
  'request.timeout.ms': key.int({ default: 30000, min: 1, importance: 'LOW', group: CONN, doc: 'Time one HTTP request to Salesforce may take.' }),
  // Set by taskConfigs, never by users.
  'task.objects': key.list({ doc: 'Internal: the objects this task reads.' }),
});

export type SalesforceSourceConfig = ConfigOf<typeof salesforceSourceConfig.keys>;

export function validateSalesforceSource(cfg: SalesforceSourceConfig): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const need = (k: keyof SalesforceSourceConfig, why: string) => {
    if (!cfg[k]) problems.push({ key: k, message: `Missing required configuration "${k}" ${why}.` });
  };
  if (cfg['salesforce.grant.type'] === 'CLIENT_CREDENTIALS') need('salesforce.consumer.secret', 'for salesforce.grant.type CLIENT_CREDENTIALS');
  if (cfg['salesforce.grant.type'] === 'JWT_BEARER') {
    need('salesforce.username', 'for salesforce.grant.type JWT_BEARER');
    need('salesforce.jwt.keystore.path', 'for salesforce.grant.type JWT_BEARER');
  }
  try {
    const u = new URL(cfg['salesforce.instance'] ?? '');
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
  } catch {
    problems.push({ key: 'salesforce.instance', message: `Invalid value ${cfg['salesforce.instance']} for configuration salesforce.instance: not an http(s) URL` });
  }
  for (const o of cfg['salesforce.object']) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(o)) problems.push({ key: 'salesforce.object', message: `Invalid value ${o} for configuration salesforce.object: not an SObject API name` });
  }
  for (const f of cfg['salesforce.fields']) {
    if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(f)) problems.push({ key: 'salesforce.fields', message: `Invalid value ${f} for configuration salesforce.fields: not a field API name` });
  }
  return problems;
}
