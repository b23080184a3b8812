import { z } from 'zod';

/**
 * A config key declared once: its zod schema (coercing Connect's string values),
 * and the metadata the REST API's config definitions, validate answers and the
 * README's tables derive from.
 */
export type ConfigType = 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'LIST' | 'PASSWORD' | 'CLASS';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';

export interface KeyMeta {
  type: ConfigType;
  documentation: string;
  importance?: Importance;
  group?: string;
  /** Masked in every answer; never logged. */
  secret?: boolean;
  required?: boolean;
  default?: unknown;
  example?: string;
  validValues?: readonly string[];
  /** The range a whole-number key checks (key.int's min/max), for the generated references. */
  min?: number;
  max?: number;
  displayName?: string;
}

export interface ConfigKey<T = unknown> {
  meta: KeyMeta & { importance: Importance };
  schema: z.ZodType<T, z.ZodTypeDef, unknown>;
}

type Common = { doc: string; importance?: Importance; group?: string; example?: string; displayName?: string };

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

function mk<T>(meta: KeyMeta, schema: z.ZodType<T, z.ZodTypeDef, unknown>): ConfigKey<T> {
  return { meta: { ...meta, importance: meta.importance ?? 'MEDIUM' }, schema };
}

function withDefault<S extends z.ZodTypeAny>(s: S, def: z.input<S> | undefined, required?: boolean) {
  if (required) return z.preprocess(blankToUndefined, s);
  if (def === undefined) return z.preprocess(blankToUndefined, s.optional());
  return z.preprocess(blankToUndefined, s.default(def));
}

/** Java's int and long ranges: Connect refuses a value outside them ("Not a number of type INT"). */
const WHOLE_RANGES = { INT: [-(2n ** 31n), 2n ** 31n - 1n], LONG: [-(2n ** 63n), 2n ** 63n - 1n] } as const;

/** The message for a value that is not a whole number in the type's range. */
export function wholeNumberMessage(type: 'INT' | 'LONG'): string {
  const [lo, hi] = WHOLE_RANGES[type];
  return `Not a number of type ${type}: must be a whole number from ${lo} to ${hi}`;
}

/** Whether `text` is a whole number within Java's range for the type. */
export function isWholeNumber(type: 'INT' | 'LONG', text: string): boolean {
  const [lo, hi] = WHOLE_RANGES[type];
  const n = /^[-+]?\d+$/.test(text) ? BigInt(text) : undefined;
  return n !== undefined && n >= lo && n <= hi;
}

function wholeNumber(type: 'INT' | 'LONG') {
  const message = wholeNumberMessage(type);
  return z.unknown().transform((v, ctx) => {
    const text = typeof v === 'number' ? (Number.isInteger(v) ? BigInt(v).toString() : '') : typeof v === 'string' ? v.trim() : '';
    const n = isWholeNumber(type, text) ? BigInt(text) : undefined;
    if (n === undefined) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return Number(n);
  });
}
const numLike = z.union([z.number(), z.string().trim().refine((s) => s !== '' && !Number.isNaN(Number(s)), 'must be a number').transform(Number)]);
/** true/false in any case, as Connect's BOOLEAN; anything else is named in the message. */
const boolLike = z.unknown().transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const s = typeof v === 'string' ? v.trim().toLowerCase() : undefined;
  if (s === 'true' || s === 'false') return s === 'true';
  ctx.addIssue({ code: 'custom', message: 'Expected value to be either true or false' });
  return z.NEVER;
});
const listLike = z.union([
  z.array(z.string()),
  z.string().transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p.length > 0)),
]);

export const key = {
  string<R extends boolean = false>(o: Common & { default?: string; required?: R; secret?: boolean }) {
    const s = withDefault(z.string(), o.default, o.required);
    return mk(
      { type: o.secret ? 'PASSWORD' : 'STRING', documentation: o.doc, secret: o.secret, required: o.required, default: o.default, importance: o.importance, group: o.group, example: o.example, displayName: o.displayName },
      s as unknown as z.ZodType<R extends true ? string : string | undefined, z.ZodTypeDef, unknown>,
    );
  },
  password(o: Common & { required?: boolean }) {
    return key.string({ ...o, secret: true });
  },
  int(o: Common & { default?: number; required?: boolean; min?: number; max?: number; type?: 'INT' | 'LONG' }) {
    let n = wholeNumber(o.type ?? 'INT').pipe(z.number());
    if (o.min !== undefined) n = n.pipe(z.number().min(o.min, `must be at least ${o.min}`)) as never;
    if (o.max !== undefined) n = n.pipe(z.number().max(o.max, `must be at most ${o.max}`)) as never;
    return mk({ type: o.type ?? 'INT', documentation: o.doc, required: o.required, default: o.default, importance: o.importance, group: o.group, example: o.example, min: o.min, max: o.max }, withDefault(n, o.default, o.required) as z.ZodType<number, z.ZodTypeDef, unknown>);
  },
  double(o: Common & { default?: number; required?: boolean }) {
    return mk({ type: 'DOUBLE', documentation: o.doc, required: o.required, default: o.default, importance: o.importance, group: o.group }, withDefault(numLike, o.default, o.required) as z.ZodType<number, z.ZodTypeDef, unknown>);
  },
  boolean(o: Common & { default: boolean }) {
    return mk({ type: 'BOOLEAN', documentation: o.doc, default: o.default, importance: o.importance, group: o.group }, withDefault(boolLike, o.default) as z.ZodType<boolean, z.ZodTypeDef, unknown>);
  },
  list(o: Common & { default?: string[]; required?: boolean }) {
    return mk({ type: 'LIST', documentation: o.doc, required: o.required, default: o.default, importance: o.importance, group: o.group, example: o.example }, withDefault(listLike, o.default ?? [], o.required) as z.ZodType<string[], z.ZodTypeDef, unknown>);
  },
  enum<const V extends readonly [string, ...string[]]>(values: V, o: Common & { default?: V[number]; required?: boolean; caseInsensitive?: boolean }) {
    const base = o.caseInsensitive
      ? z.string().transform((s, ctx) => {
          const hit = values.find((v) => v.toLowerCase() === s.toLowerCase());
          if (!hit) ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
          return (hit ?? s) as V[number];
        })
      : z.enum(values as unknown as [V[number], ...V[number][]], { errorMap: () => ({ message: `must be one of ${values.join(', ')}` }) });
    return mk({ type: 'STRING', documentation: o.doc, required: o.required, default: o.default, validValues: values, importance: o.importance, group: o.group }, withDefault(base as z.ZodType<V[number], z.ZodTypeDef, unknown>, o.default, o.required) as z.ZodType<V[number], z.ZodTypeDef, unknown>);
  },
  custom<T>(meta: KeyMeta, schema: z.ZodType<T, z.ZodTypeDef, unknown>): ConfigKey<T> {
    return mk(meta, schema);
  },
};

export type KeyMap = Record<string, ConfigKey<unknown>>;
export type ConfigOf<K extends KeyMap> = { [P in keyof K]: K[P] extends ConfigKey<infer T> ? T : never };

export interface ConfigProblem {
  key: string;
  message: string;
}

export interface ConfigDef<K extends KeyMap> {
  keys: K;
  /** Parses a raw Connect config (extra keys are kept aside, never rejected: Connect passes them through). */
  parse(raw: Record<string, unknown>): { ok: true; value: ConfigOf<K> } | { ok: false; problems: ConfigProblem[] };
  secretKeys(): string[];
}

export function defineConfig<K extends KeyMap>(keys: K): ConfigDef<K> {
  return {
    keys,
    parse(raw) {
      const out: Record<string, unknown> = {};
      const problems: ConfigProblem[] = [];
      for (const [name, k] of Object.entries(keys)) {
        const r = k.schema.safeParse(raw[name]);
        if (r.success) out[name] = r.data;
        else {
          const missing = raw[name] === undefined || raw[name] === '' || raw[name] === null;
          for (const issue of r.error.issues) {
            const message = missing && k.meta.required
              ? `Missing required configuration "${name}" which has no default value.`
              : `Invalid value ${JSON.stringify(raw[name])} for configuration ${name}: ${issue.message}`;
            problems.push({ key: name, message });
          }
        }
      }
      return problems.length ? { ok: false, problems } : { ok: true, value: out as ConfigOf<K> };
    },
    secretKeys() {
      return Object.entries(keys).filter(([, k]) => k.meta.secret).map(([n]) => n);
    },
  };
}
