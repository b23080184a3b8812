import { ConfigError } from '../../errors.js';
import { Struct, type Field, type Schema } from '../../records/schema.js';
import { fieldOf, requireMapOrNull, requireStructOrNull, type SchemalessMap } from './maps.js';

/**
 * KIP-821 field paths (Connect's SingleFieldPath). V1: the whole text names one
 * top-level field. V2: dotted steps; a step wrapped in backticks may contain dots,
 * and a backtick right before a dot is escaped with a backslash.
 */
export type FieldSyntaxVersion = 'V1' | 'V2';

export const FIELD_SYNTAX_VERSIONS = ['V1', 'V2'] as const;

export class FieldPath {
  readonly steps: readonly string[];

  constructor(readonly text: string, version: FieldSyntaxVersion) {
    this.steps = version === 'V1' ? [text] : parseV2(text);
  }

  /** The field at this path in a struct schema, or null. */
  fieldFrom(schema: Schema | null): Field | null {
    let current = schema;
    for (const [i, step] of this.steps.entries()) {
      const field = current?.fields?.find((f) => f.name === step);
      if (!field) return null;
      if (i === this.steps.length - 1) return field;
      current = field.schema;
    }
    return null;
  }

  /** The value at this path in a Struct; null when any step is missing or null. */
  valueFromStruct(struct: Struct | null): unknown {
    let current = struct;
    for (const [i, step] of this.steps.entries()) {
      if (!current?.field(step)) return null;
      const v = current.get(step);
      if (i === this.steps.length - 1) return v;
      current = requireStructOrNull(v, 'nested field access');
    }
    return null;
  }

  /** The value at this path in a schemaless map; null when any step is missing or null. */
  valueFromMap(map: SchemalessMap | null): unknown {
    let current = map;
    for (const [i, step] of this.steps.entries()) {
      if (!current) return null;
      const v = fieldOf(current, step);
      if (i === this.steps.length - 1) return v;
      current = requireMapOrNull(v, 'nested field access');
    }
    return null;
  }
}

function parseV2(path: string): string[] {
  const steps: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] !== '`') {
      const dot = path.indexOf('.', i);
      steps.push(path.slice(i, dot < 0 ? undefined : dot));
      i = dot < 0 ? path.length : dot + 1;
      continue;
    }
    // A backtick-wrapped step ends at a backtick followed by a dot (or the end of the path).
    const opening = i;
    let name = '';
    let start = i + 1;
    let at = start;
    for (;;) {
      const tick = path.indexOf('`', at);
      if (tick < 0) throw incompleteBackticks(path, opening);
      const escaped = path[tick - 1] === '\\';
      if (tick === path.length - 1) {
        if (escaped) throw incompleteBackticks(path, opening);
        steps.push(name + path.slice(start, tick));
        i = tick + 1;
        break;
      }
      if (path[tick + 1] !== '.') {
        at = tick + 1;
        continue;
      }
      if (escaped) {
        name += path.slice(start, tick - 1) + '`';
        start = at = tick + 1;
        continue;
      }
      steps.push(name + path.slice(start, tick));
      i = tick + 2;
      break;
    }
  }
  if (path.endsWith('.')) steps.push('');
  return steps;
}

function incompleteBackticks(path: string, at: number): ConfigError {
  const message = `Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`;
  return new ConfigError(message, [{ key: 'field', message }]);
}
