import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, RetriableError } from '../../../src/errors.js';
import { BulkWriter, bulkBody, bulkOp, classifyItem, opBytes, planChunks, type BulkOp, type WriterSettings } from '../../../src/connectors/elasticsearch-sink/writer.js';
import { retryWaitMs } from '../../../src/connectors/elasticsearch-sink/retry.js';

const doc = (record: number, id = `d${record}`, index = 'i') => bulkOp(record, index, id, { kind: 'index', doc: `{"n":${record}}` });

type Item = { status: number; error?: { type: string; reason?: string; caused_by?: { type: string } } };
type Handler = (actions: Array<{ id: string }>, call: number) => Item[] | Error | Promise<Item[] | Error>;

/** A client whose bulk answers from handler, recording each request's document ids. */
function fakeClient(handler: Handler) {
  const calls: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    async bulk({ operations }: { operations: Buffer }) {
      const actions: Array<{ id: string }> = [];
      const text = operations.toString();
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) {
        const a = JSON.parse(line) as Record<string, { _id?: string }>;
        const meta = a.index ?? a.update ?? a.delete;
        if (meta?._id !== undefined) actions.push({ id: meta._id });
      }
      calls.push(actions.map((a) => a.id));
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 5));
        const out = await handler(actions, calls.length);
        if (out instanceof Error) throw out;
        return { errors: out.some((i) => i.error), took: 1, items: out.map((i) => ({ index: { _index: 'i', ...i } })) };
      } finally {
        inFlight--;
      }
    },
  };
  return { client: client as unknown as Client, calls, maxInFlight: () => maxInFlight };
}

const ok = (actions: Array<{ id: string }>): Item[] => actions.map(() => ({ status: 201 }));
const settings: WriterSettings = { batchSize: 100, bulkSizeBytes: -1, maxInFlight: 5, maxRetries: 3, backoffMs: 1, onMalformed: 'fail' };
const warnings: object[] = [];
const logger = { debug() {}, info() {}, warn(o: object) { warnings.push(o); }, error() {} };
const never = new AbortController().signal;

/** An error answer; from Elasticsearch itself unless fromElasticsearch is false (a proxy, a wrong URL). */
function responseError(status: number, type: string, fromElasticsearch = true): errors.ResponseError {
  const headers = fromElasticsearch ? { 'x-elastic-product': 'Elasticsearch' } : {};
  return new errors.ResponseError({ body: { error: { type, reason: 'r' }, status }, statusCode: status, headers, warnings: null, meta: {} as never });
}

describe('bulk planning', () => {
  it('splits by batch.size and bulk.size.bytes, in order', () => {
    const ops = [doc(0), doc(1), doc(2), doc(3), doc(4)];
    expect(planChunks(ops, 2, -1).map((c) => c.ops.map((o) => o.record))).toEqual([[0, 1], [2, 3], [4]]);
    const twoPerRequest = opBytes(ops[0]!) * 2 + 1;
    expect(planChunks(ops, 100, twoPerRequest).map((c) => c.ops.length)).toEqual([2, 2, 1]);
    // A single action larger than the limit still goes, alone.
    expect(planChunks(ops, 100, 1).map((c) => c.ops.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('makes a request wait for earlier ones that write the same document', () => {
    const ops = [doc(0, 'a'), doc(1, 'b'), doc(2, 'c'), doc(3, 'a'), doc(4, 'b'), doc(5, 'a')];
    expect(planChunks(ops, 2, -1).map((c) => c.after)).toEqual([[], [0], [0, 1]]);
    expect(planChunks(ops, 1, -1).map((c) => c.after)).toEqual([[], [], [], [0], [1], [3]]);
  });

  it('writes index, upsert and delete actions as NDJSON lines', () => {
    expect(bulkOp(0, 'i', 'k', { kind: 'index', doc: '{"a":1}' }).text).toBe('{"index":{"_index":"i","_id":"k"}}\n{"a":1}\n');
    expect(bulkOp(0, 'i', 'k', { kind: 'upsert', doc: '{"a":1}', retryOnConflict: 5 }).text)
      .toBe('{"update":{"_index":"i","_id":"k","retry_on_conflict":5}}\n{"doc":{"a":1},"doc_as_upsert":true}\n');
    const del = bulkOp(0, 'i', 'k', { kind: 'delete' });
    expect(del.text).toBe('{"delete":{"_index":"i","_id":"k"}}\n');
    expect(opBytes(del)).toBe(Buffer.byteLength(del.text));
  });

  it('sends the same bytes as the client serializing the NDJSON lines itself', () => {
    const ops = [
      bulkOp(0, 'i', 'k"1', { kind: 'index', doc: '{"a":"é ü 😀"}' }),
      bulkOp(1, 'i', '2', { kind: 'upsert', doc: '{"b":[1,2]}', retryOnConflict: 3 }),
      bulkOp(2, 'i', '3', { kind: 'delete' }),
    ];
    // What the client's ndserialize made of the action and source lines: each line, then a newline.
    const lines = [
      '{"index":{"_index":"i","_id":"k\\"1"}}', '{"a":"é ü 😀"}',
      '{"update":{"_index":"i","_id":"2","retry_on_conflict":3}}', '{"doc":{"b":[1,2]},"doc_as_upsert":true}',
      '{"delete":{"_index":"i","_id":"3"}}',
    ];
    expect(bulkBody(ops).equals(Buffer.from(lines.map((l) => `${l}\n`).join('')))).toBe(true);
  });

  it('splits by bytes exactly as counting every byte would, multi-byte text included', () => {
    const texts = ['{"s":"ascii"}', '{"s":"ééééééééé"}', '{"s":"😀😀😀"}', '{"s":"plain text here"}', '{"s":"中文中文"}'];
    const ops = Array.from({ length: 40 }, (_, i) => bulkOp(i, 'i', `d${i}`, { kind: 'index', doc: texts[i % texts.length]! }));
    /** The plain rule: a request closes when the next op would take it past maxBytes. */
    const reference = (all: BulkOp[], maxCount: number, maxBytes: number) => {
      const out: number[][] = [];
      let bytes = 0;
      for (const op of all) {
        const n = opBytes(op);
        const last = out[out.length - 1];
        if (!last || last.length >= maxCount || (maxBytes >= 0 && bytes + n > maxBytes)) {
          out.push([op.record]);
          bytes = n;
        } else {
          last.push(op.record);
          bytes += n;
        }
      }
      return out;
    };
    for (const maxBytes of [-1, 1, 60, 61, 100, 150, 333, 1000, 2500, 100_000]) {
      for (const maxCount of [1, 3, 7, 100]) {
        expect(planChunks(ops, maxCount, maxBytes).map((c) => c.ops.map((o) => o.record)), `${maxCount} ${maxBytes}`).toEqual(reference(ops, maxCount, maxBytes));
      }
    }
  });
});

describe('bulk item outcomes', () => {
  it('sorts item errors into malformed, retry, auth and failed', () => {
    const item = (status: number, type: string, caused?: string) => ({ _index: 'i', status, error: { type, reason: 'r', ...(caused ? { caused_by: { type: caused, reason: 'x' } } : {}) } });
    expect(classifyItem({ _index: 'i', status: 201 }).kind).toBe('ok');
    expect(classifyItem(item(400, 'document_parsing_exception')).kind).toBe('malformed');
    expect(classifyItem(item(400, 'mapper_parsing_exception')).kind).toBe('malformed');
    expect(classifyItem(item(400, 'other', 'illegal_argument_exception')).kind).toBe('malformed');
    expect(classifyItem(item(429, 'es_rejected_execution_exception')).kind).toBe('retry');
    expect(classifyItem(item(503, 'unavailable_shards_exception')).kind).toBe('retry');
    expect(classifyItem(item(403, 'security_exception')).kind).toBe('auth');
    expect(classifyItem(item(409, 'version_conflict_engine_exception')).kind).toBe('failed');
    expect(classifyItem(item(400, 'invalid_index_name_exception')).kind).toBe('failed');
  });

  it('waits about twice as long before each retry, with jitter', () => {
    expect(retryWaitMs(0, 100, () => 0)).toBe(50);
    expect(retryWaitMs(0, 100, () => 1)).toBe(100);
    expect(retryWaitMs(3, 100, () => 1)).toBe(800);
    expect(retryWaitMs(100, 100, () => 1)).toBe(86_400_000);
    expect(retryWaitMs(2, 0)).toBe(0);
  });
});

describe('BulkWriter', () => {
  it('reports per record: a malformed document fails only its own record', async () => {
    const { client } = fakeClient((actions) => actions.map((a) => (a.id === 'd1' ? { status: 400, error: { type: 'document_parsing_exception', reason: 'bad' } } : { status: 201 })));
    const failures = await new BulkWriter(client, settings, logger).write([doc(0), doc(1), doc(2)], never);
    expect([...failures.keys()]).toEqual([1]);
    expect(failures.get(1)).toBeInstanceOf(DataError);
    expect(failures.get(1)!.message).toMatch(/document_parsing_exception/);
  });

  it('skips malformed documents with behavior ignore and warn (warn logs)', async () => {
    const bad: Handler = (actions) => actions.map(() => ({ status: 400, error: { type: 'mapper_parsing_exception' } }));
    warnings.length = 0;
    expect((await new BulkWriter(fakeClient(bad).client, { ...settings, onMalformed: 'ignore' }, logger).write([doc(0)], never)).size).toBe(0);
    expect(warnings).toHaveLength(0);
    expect((await new BulkWriter(fakeClient(bad).client, { ...settings, onMalformed: 'warn' }, logger).write([doc(0)], never)).size).toBe(0);
    expect(warnings).toHaveLength(1);
  });

  it('sends again only the items the server was too busy for', async () => {
    const { client, calls } = fakeClient((actions, call) => actions.map((a) => (call === 1 && a.id === 'd1' ? { status: 429, error: { type: 'es_rejected_execution_exception' } } : { status: 201 })));
    const failures = await new BulkWriter(client, settings, logger).write([doc(0), doc(1), doc(2)], never);
    expect(failures.size).toBe(0);
    expect(calls).toEqual([['d0', 'd1', 'd2'], ['d1']]);
  });

  it('replays later writes of a document after its retried one, keeping their order', async () => {
    const { client, calls } = fakeClient((actions, call) => actions.map((_, i) => (call === 1 && i === 0 ? { status: 503, error: { type: 'unavailable_shards_exception' } } : { status: 201 })));
    await new BulkWriter(client, settings, logger).write([doc(0, 'a'), doc(1, 'b'), doc(2, 'a')], never);
    expect(calls).toEqual([['a', 'b', 'a'], ['a', 'a']]);
  });

  it('retries an unreachable server max.retries times, then throws RetriableError', async () => {
    const { client, calls } = fakeClient(() => new errors.ConnectionError('connect ECONNREFUSED'));
    const e = await new BulkWriter(client, settings, logger).write([doc(0)], never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetriableError);
    expect((e as Error).message).toMatch(/after 3 retries: ConnectionError/);
    expect(calls).toHaveLength(4);
  });

  it('retries 429 and 503 answers, and recovers when the server does', async () => {
    const { client, calls } = fakeClient((actions, call) => (call === 1 ? responseError(429, 'too_many') : call === 2 ? responseError(503, 'unavailable') : ok(actions)));
    expect((await new BulkWriter(client, settings, logger).write([doc(0)], never)).size).toBe(0);
    expect(calls).toHaveLength(3);
  });

  it('throws ConfigError on 401 without retrying', async () => {
    const { client, calls } = fakeClient(() => responseError(401, 'security_exception'));
    await expect(new BulkWriter(client, settings, logger).write([doc(0)], never)).rejects.toBeInstanceOf(ConfigError);
    expect(calls).toHaveLength(1);
  });

  it('throws ConfigError when a 4xx comes from something that is not Elasticsearch', async () => {
    const { client, calls } = fakeClient(() => responseError(404, 'not_found', false));
    await expect(new BulkWriter(client, settings, logger).write([doc(0)], never)).rejects.toThrow(/not Elasticsearch .*connection\.url/);
    expect(calls).toHaveLength(1);
    // A 503 from a proxy in front of a restarting cluster is retried like any 503.
    const proxy = fakeClient((actions, call) => (call === 1 ? responseError(503, 'unavailable', false) : ok(actions)));
    expect((await new BulkWriter(proxy.client, settings, logger).write([doc(0)], never)).size).toBe(0);
  });

  it('fails the records of a request refused for its content (400)', async () => {
    const { client } = fakeClient(() => responseError(400, 'action_request_validation_exception'));
    const failures = await new BulkWriter(client, settings, logger).write([doc(0), doc(1)], never);
    expect([...failures.keys()]).toEqual([0, 1]);
  });

  it('keeps max.in.flight.requests requests at once, and orders writes to one document', async () => {
    const events: string[] = [];
    const { client, calls, maxInFlight } = fakeClient(async (actions, call) => {
      const id = actions[0]!.id;
      events.push(`start ${id} ${call}`);
      await new Promise((r) => setTimeout(r, id === 'k' ? 40 : 1));
      events.push(`end ${id} ${call}`);
      return ok(actions);
    });
    const ops = [doc(0, 'k'), doc(1), doc(2), doc(3), doc(4), doc(5, 'k'), doc(6), doc(7)];
    await new BulkWriter(client, { ...settings, batchSize: 1, maxInFlight: 3 }, logger).write(ops, never);
    expect(calls).toHaveLength(8);
    expect(maxInFlight()).toBe(3);
    // The second write of k started only after the first (slow) one had finished, while others went on.
    const kEvents = events.filter((e) => e.includes(' k '));
    expect(kEvents.map((e) => e.split(' ')[0])).toEqual(['start', 'end', 'start', 'end']);
    expect(events.findIndex((e) => e.startsWith('end d1 '))).toBeLessThan(events.indexOf(kEvents[1]!));
  });

  it('keeps call order and the in-flight bound across concurrent writes (the runtime runs puts at once)', async () => {
    const events: string[] = [];
    const { client, maxInFlight } = fakeClient(async (actions) => {
      const ids = actions.map((a) => a.id).join(',');
      events.push(`start ${ids}`);
      // The first request (holding k) is the slowest: a later write of k must still wait for it.
      await new Promise((r) => setTimeout(r, ids === 'k,a' ? 40 : 2));
      events.push(`end ${ids}`);
      return ok(actions);
    });
    const writer = new BulkWriter(client, { ...settings, batchSize: 10, maxInFlight: 2 }, logger);
    const writeInTurn = async (ops: ReturnType<typeof doc>[]) => {
      const turn = writer.reserve(ops);
      try {
        await turn.before;
        return await writer.write(ops, never);
      } finally {
        turn.done();
      }
    };
    await Promise.all([
      writeInTurn([doc(0, 'k'), doc(1, 'a')]),
      writeInTurn([doc(0, 'b')]),
      writeInTurn([doc(0, 'c')]),
      writeInTurn([doc(0, 'k'), doc(1, 'd')]),
    ]);
    expect(maxInFlight()).toBe(2);
    expect(events.indexOf('start k,d')).toBeGreaterThan(events.indexOf('end k,a'));
    // Writes of other documents did not wait for the slow one.
    expect(events.indexOf('end b')).toBeLessThan(events.indexOf('end k,a'));
  });

  it('stops at once when the signal aborts', async () => {
    const ac = new AbortController();
    const { client } = fakeClient(() => new errors.ConnectionError('down'));
    const p = new BulkWriter(client, { ...settings, maxRetries: 100, backoffMs: 10_000 }, logger).write([doc(0)], ac.signal);
    setTimeout(() => ac.abort(new Error('cancelled')), 20);
    await expect(p).rejects.toThrow('cancelled');
  });
});
