import type { ConfigDef, ConfigOf, KeyMap } from '../config/define.js';
import type { ConnectRecord } from '../records/record.js';
import type { Schema } from '../records/schema.js';
import { defineTransform, TRANSFORMS_PACKAGE, type RecordTransformation, type TransformDefinition } from './types.js';

/**
 * Which half of the record a $Key / $Value transform works on. Connect writes each
 * such transform once with abstract operatingSchema/operatingValue/newRecord and two
 * tiny subclasses; here the same split is one parameter.
 */
export type Operand = 'key' | 'value';

export function operandSchema(record: ConnectRecord, side: Operand): Schema | null {
  return (side === 'key' ? record.keySchema : record.valueSchema) ?? null;
}

export function operandValue(record: ConnectRecord, side: Operand): unknown {
  const v = side === 'key' ? record.key : record.value;
  return v === undefined ? null : v;
}

/** A copy of the record with the key (or value) and its schema replaced; everything else kept. */
export function withOperand<R extends ConnectRecord>(record: R, side: Operand, schema: Schema | null, value: unknown): R {
  return side === 'key' ? { ...record, keySchema: schema, key: value } : { ...record, valueSchema: schema, value };
}

/**
 * Declares the $Key and $Value variants of a transform under Connect's class names
 * (org.apache.kafka.connect.transforms.Cast$Key) and short aliases (Cast$Key).
 */
export function defineKeyValueTransforms<K extends KeyMap>(d: {
  name: string;
  summary: string;
  config: ConfigDef<K>;
  create(cfg: ConfigOf<K>, side: Operand): RecordTransformation;
}): [TransformDefinition<K>, TransformDefinition<K>] {
  const variant = (suffix: 'Key' | 'Value', side: Operand) =>
    defineTransform<K>({
      name: `${d.name}$${suffix}`,
      className: `${TRANSFORMS_PACKAGE}.${d.name}$${suffix}`,
      aliases: [`${d.name}$${suffix}`],
      summary: `${d.summary} (record ${side})`,
      config: d.config,
      create: (cfg) => d.create(cfg, side),
    });
  return [variant('Key', 'key'), variant('Value', 'value')];
}
