import { describe, expect, it } from 'vitest';
import { configuredTemporalAddress, envProperties, workerOptions, workerProperties } from '../../../src/worker/options.js';
import { parseListeners, restSettings } from '../../../src/rest/config.js';
import { ConfigError } from '../../../src/errors.js';

describe('REST listeners and settings', () => {
  it("reads Connect's listeners syntax; an empty host binds every interface, as in Connect", () => {
    expect(parseListeners('http://:8083, https://[::1]:8443,http://localhost:9000/')).toEqual([
      { protocol: 'http', host: '0.0.0.0', port: 8083 },
      { protocol: 'https', host: '::1', port: 8443 },
      { protocol: 'http', host: 'localhost', port: 9000 },
    ]);
    for (const bad of ['8083', 'ftp://h:1', 'http://h', 'http://h:99999', '']) expect(() => parseListeners(bad)).toThrow(ConfigError);
  });

  it('binds loopback by default; `tconnect worker` serves REST only when configured', () => {
    expect(restSettings({}, false)).toBeUndefined();
    expect(restSettings({}, true)?.listeners).toEqual([{ protocol: 'http', host: '127.0.0.1', port: 8083 }]);
    expect(restSettings({ 'rest.port': '9090' }, false)?.listeners).toEqual([{ protocol: 'http', host: '127.0.0.1', port: 9090 }]);
    expect(restSettings({ 'rest.host.name': '0.0.0.0', 'rest.port': '9090' }, true)?.listeners).toEqual([{ protocol: 'http', host: '0.0.0.0', port: 9090 }]);
    expect(restSettings({ listeners: 'http://10.0.0.1:8083', 'rest.port': '1' }, true)?.listeners).toEqual([{ protocol: 'http', host: '10.0.0.1', port: 8083 }]);
    expect(() => restSettings({ 'rest.port': 'x' }, true)).toThrow(/rest.port/);
  });

  it('https needs PEM files, and says so when it finds a Java keystore', () => {
    expect(() => restSettings({ listeners: 'https://:8443' }, true)).toThrow(/rest.ssl.cert.file/);
    expect(() => restSettings({ listeners: 'https://:8443', 'listeners.https.ssl.keystore.location': '/ks.jks' }, true)).toThrow(/Java keystore/);
    expect(restSettings({ listeners: 'https://:8443', 'rest.ssl.cert.file': 'c.pem', 'rest.ssl.key.file': 'k.pem', 'rest.ssl.client.auth': 'required' }, true)?.tls)
      .toEqual({ certFile: 'c.pem', keyFile: 'k.pem', caFile: undefined, keyPassword: undefined, clientAuth: 'required' });
  });

  it('collects auth settings', () => {
    expect(restSettings({ 'rest.auth.basic.users': 'a:b', 'rest.auth.token': 't' }, true)?.auth).toEqual({ users: 'a:b', usersFile: undefined, token: 't', tokenFile: undefined });
  });
});

describe('worker properties', () => {
  it('maps CONNECT_* variables to property names (Confluent image convention) and lets them override the file', () => {
    expect(envProperties({ CONNECT_REST_PORT: '1', CONNECT_LISTENERS: 'http://:2', CONNECT_A__B___C: 'x', OTHER: 'y' }))
      .toEqual({ 'rest.port': '1', listeners: 'http://:2', 'a_b-c': 'x' });
    expect(workerProperties('rest.port=8083\nbootstrap.servers=k:9092\n', { CONNECT_REST_PORT: '9999' })).toEqual({ 'rest.port': '9999', 'bootstrap.servers': 'k:9092' });
    expect(workerProperties(undefined, {})).toBeUndefined();
  });

  it('reads temporal.* properties, below flags and the environment', () => {
    const props = 'temporal.address=props:7233\ntemporal.namespace=ns\ntemporal.task.queue=q\ntemporal.api.key=k\ntemporal.tls.cert.file=c.pem\ntemporal.tls.key.file=k.pem\n';
    expect(workerOptions({}, {}, props)).toMatchObject({
      temporalAddress: 'props:7233', namespace: 'ns', taskQueue: 'q', temporalApiKey: 'k', temporalTls: { certFile: 'c.pem', keyFile: 'k.pem' },
    });
    expect(workerOptions({}, { TEMPORAL_ADDRESS: 'env:7233', TEMPORAL_TLS: 'true' }, 'temporal.address=props:7233').temporalAddress).toBe('env:7233');
    expect(workerOptions({}, { TEMPORAL_TLS: 'true' }).temporalTls).toBe(true);
    expect(workerOptions({ address: 'flag:1' }, { TEMPORAL_ADDRESS: 'env:7233' }).temporalAddress).toBe('flag:1');
  });

  it('knows whether a Temporal address was configured at all (standalone starts its own otherwise)', () => {
    expect(configuredTemporalAddress({}, {}, {})).toBeUndefined();
    expect(configuredTemporalAddress({}, {}, { 'temporal.address': 'h:1' })).toBe('h:1');
    expect(configuredTemporalAddress({}, { TEMPORAL_ADDRESS: 'e:1' }, {})).toBe('e:1');
  });
});
