import { BigQuery, type BigQueryOptions } from '@google-cloud/bigquery';
import { OAuth2Client } from 'google-auth-library';
import { existsSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import type { BigQuerySinkConfig } from './config.js';

/**
 * For an emulator (bigQueryEndpoint without keyfile): a fixed bearer token that never expires,
 * instead of the library looking for application default credentials. Emulators ignore it.
 */
function emulatorAuth(): BigQueryOptions['authClient'] {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'emulator', expiry_date: Date.UTC(9999, 0, 1) });
  return client as unknown as BigQueryOptions['authClient'];
}

/** The BigQuery client for a config: credentials by keySource, endpoint by bigQueryEndpoint; our retries only. */
export function createBigQuery(cfg: BigQuerySinkConfig): BigQuery {
  const options: BigQueryOptions = { projectId: cfg.project, autoRetry: false, maxRetries: 0 };
  const keyfile = cfg.keyfile?.trim() ?? '';
  if (cfg.keySource === 'FILE' && keyfile !== '') {
    if (!existsSync(keyfile)) {
      throw new ConfigError(`The BigQuery key file does not exist on this worker: ${keyfile}`, [{ key: 'keyfile', message: 'no such file (keySource=FILE expects the path of a service-account JSON key file)' }]);
    }
    options.keyFilename = keyfile;
  } else if (cfg.keySource === 'JSON' && keyfile !== '') {
    options.credentials = JSON.parse(keyfile) as BigQueryOptions['credentials'];
  }
  const endpoint = cfg.bigQueryEndpoint?.replace(/\/+$/, '');
  if (endpoint) {
    options.apiEndpoint = endpoint;
    if (keyfile === '') options.authClient = emulatorAuth();
  }
  const bq = new BigQuery(options);
  // The library prefers the BIGQUERY_EMULATOR_HOST environment variable over apiEndpoint for its
  // base URL; a connector's own endpoint wins here.
  if (endpoint) bq.baseUrl = `${endpoint}/bigquery/v2`;
  return bq;
}
