// A TLS front for the Temporal dev server, which has no TLS of its own: terminates TLS (optionally
// requiring a client certificate signed by a CA: mTLS, as a self-hosted Temporal with
// `requireClientAuth`), optionally requires `authorization: Bearer <key>` as Temporal Cloud's API
// keys do, and passes every gRPC stream (headers, messages, trailers) through to the plain server.
// The Temporal SDK's TLS and API-key settings are thereby tested against a real server.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TlsMaterial {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A client certificate from another CA (the proxy must refuse it). */
  strangerCertFile: string;
  strangerKeyFile: string;
  cleanup(): void;
}

/** A CA, a server certificate for localhost/127.0.0.1, a client certificate, and a stranger's, made with openssl. */
export function makeTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-tls-'));
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = (name: string) => ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.crt`));
  const leaf = (name: string, caName: string, ext: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), ext);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${caName}.crt`), '-CAkey', f(`${caName}.key`), '-CAcreateserial', '-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`));
  };
  ca('test-ca');
  ca('stranger-ca');
  leaf('server', 'test-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  return {
    dir, caFile: f('test-ca.crt'), serverCertFile: f('server.crt'), serverKeyFile: f('server.key'),
    clientCertFile: f('client.crt'), clientKeyFile: f('client.key'), strangerCertFile: f('stranger.crt'), strangerKeyFile: f('stranger.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TlsGrpcProxy {
  address: string;
  /** Streams refused for a missing or wrong API key. */
  refused: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'http2-settings']);

function forwardable(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && k !== ':scheme' && k !== ':authority') out[k] = v;
  return out;
}

export async function startTlsGrpcProxy(opts: { upstream: string; tls: TlsMaterial; requireClientCert: boolean; apiKey?: string }): Promise<TlsGrpcProxy> {
  const upstream = http2.connect(`http://${opts.upstream}`);
  upstream.on('error', () => undefined);
  const state = { refused: 0 };
  const server = http2.createSecureServer({
    key: readFileSync(opts.tls.serverKeyFile),
    cert: readFileSync(opts.tls.serverCertFile),
    ca: readFileSync(opts.tls.caFile),
    requestCert: opts.requireClientCert,
    rejectUnauthorized: opts.requireClientCert,
    ALPNProtocols: ['h2'],
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (opts.apiKey !== undefined && headers.authorization !== `Bearer ${opts.apiKey}`) {
      state.refused++;
      // A trailers-only gRPC answer: UNAUTHENTICATED (16), as Temporal Cloud answers a bad key.
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'Request unauthorized.' }, { endStream: true });
      return;
    }
    const req = upstream.request({ ...forwardable(headers), ':authority': opts.upstream }, { endStream: false });
    req.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    req.on('response', (h, flags) => {
      const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      if (endStream) {
        stream.respond(forwardable(h), { endStream: true });
        return;
      }
      stream.respond(forwardable(h), { waitForTrailers: true });
      let trailers: http2.OutgoingHttpHeaders = {};
      req.on('trailers', (t) => { trailers = forwardable(t); });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      req.pipe(stream);
    });
    stream.pipe(req);
    stream.on('close', () => { if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL); });
  });
  server.on('secureConnection', (socket) => socket.on('error', () => undefined));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    get refused() { return state.refused; },
    close: async () => {
      upstream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open sessions (the SDK keeps its connection) would hold close() forever.
        for (const s of sessions) s.destroy();
      });
    },
  };
}
