import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConverter } from '../../../../src/converters/registry.js';
import { ConfigError } from '../../../../src/errors.js';
import { Schemas, Struct } from '../../../../src/records/schema.js';

// What the registry client sends (the Basic Auth header, the schema body, the path), checked on a
// local HTTP server that records requests: the real registry (integration tests) accepts any.
describe('the registry client on the wire', () => {
  const seen: Array<{ method?: string; url?: string; auth?: string; type?: string; body: string }> = [];
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
        res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
        res.end(JSON.stringify({ id: 42 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const schema = Schemas.struct([['id', Schemas.int32()]], { name: 'a.B' });
  const value = new Struct(schema, { id: 1 });

  it('sends USER_INFO credentials as Basic Auth and registers under <topic>-value', async () => {
    seen.length = 0;
    const c = createConverter('AvroConverter', { 'schema.registry.url': base, 'basic.auth.credentials.source': 'USER_INFO', 'basic.auth.user.info': 'alice:pw:with:colons' }, false);
    const bytes = await c.fromConnectData('orders', schema, value);
    expect(bytes!.subarray(0, 5).toString('hex')).toBe('000000002a');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/subjects/orders-value/versions', auth: `Basic ${Buffer.from('alice:pw:with:colons').toString('base64')}`, type: 'application/vnd.schemaregistry.v1+json' });
    expect(JSON.parse(seen[0]!.body)).toEqual({ schema: '{"type":"record","name":"B","namespace":"a","fields":[{"name":"id","type":"int"}],"connect.name":"a.B"}' });
    // Cached: the second record of the schema asks nothing.
    await c.fromConnectData('orders', schema, value);
    expect(seen).toHaveLength(1);
  });

  it('takes URL user info as the credentials (source URL) and keeps them out of the URL and of messages', async () => {
    seen.length = 0;
    const withInfo = base.replace('http://', 'http://bob:s3cr%40t@');
    const c = createConverter('ProtobufConverter', { 'schema.registry.url': withInfo }, true);
    await c.fromConnectData('t', schema, value);
    expect(seen[0]).toMatchObject({ url: '/subjects/t-key/versions', auth: `Basic ${Buffer.from('bob:s3cr@t').toString('base64')}` });
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ schemaType: 'PROTOBUF' });
    let e: unknown;
    try {
      createConverter('AvroConverter', { 'schema.registry.url': 'ftp://bob:s3cret@h' }, false);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).not.toContain('s3cret');
  });
});
