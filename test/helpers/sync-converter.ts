import { isPromise, type Converter, type SchemaAndValue } from '../../src/converters/types.js';

/** A converter known to answer synchronously (every one but the schema registry converters), typed so. */
export interface SyncConverter {
  fromConnectData(topic: string, schema: Parameters<Converter['fromConnectData']>[1], value: unknown): Buffer | null;
  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue;
}

export function syncConverter(c: Converter): SyncConverter {
  const now = <T>(x: T | Promise<T>): T => {
    if (isPromise(x)) throw new Error('converter answered asynchronously');
    return x;
  };
  return {
    fromConnectData: (topic, schema, value) => now(c.fromConnectData(topic, schema, value)),
    toConnectData: (topic, bytes) => now(c.toConnectData(topic, bytes)),
  };
}
