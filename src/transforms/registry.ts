import type { ConfigProblem } from '../config/define.js';
import { BUILT_IN, PluginList, type AddOutcome, type PluginOrigin } from '../plugins/plugin-list.js';
import { ConfigError, DataError } from '../errors.js';
import type { ConnectRecord } from '../records/record.js';
import { CastKey, CastValue } from './cast.js';
import { ExtractNewRecordState } from '../connectors/debezium/extract-new-record-state.js';
import { DropHeaders } from './drop-headers.js';
import { ExtractFieldKey, ExtractFieldValue } from './extract-field.js';
import { Filter } from './filter.js';
import { FlattenKey, FlattenValue } from './flatten.js';
import { HeaderFromKey, HeaderFromValue } from './header-from.js';
import { HoistFieldKey, HoistFieldValue } from './hoist-field.js';
import { InsertFieldKey, InsertFieldValue } from './insert-field.js';
import { InsertHeader } from './insert-header.js';
import { MaskFieldKey, MaskFieldValue } from './mask-field.js';
import { HasHeaderKey } from './predicates/has-header-key.js';
import { RecordIsTombstone } from './predicates/record-is-tombstone.js';
import { TopicNameMatches } from './predicates/topic-name-matches.js';
import { RegexRouter } from './regex-router.js';
import { ReplaceFieldKey, ReplaceFieldValue } from './replace-field.js';
import { SetSchemaMetadataKey, SetSchemaMetadataValue } from './set-schema-metadata.js';
import { TimestampConverterKey, TimestampConverterValue } from './timestamp-converter.js';
import { TimestampRouter } from './timestamp-router.js';
import type { Predicate, PredicateDefinition, RecordTransformation, TransformDefinition } from './types.js';
import { ValueToKey } from './value-to-key.js';

const transforms = new PluginList<TransformDefinition>('transformation', (d) => d.aliases);
const predicates = new PluginList<PredicateDefinition>('predicate', (d) => d.aliases);

/**
 * Every transform this process knows: Kafka Connect's standard set (COMPAT.md section 7), then what
 * the worker loaded from plugin.path / plugins, all through registerTransform. Nothing registers
 * itself on import.
 */
export const TRANSFORMS: readonly TransformDefinition[] = transforms.items;
export const PREDICATES: readonly PredicateDefinition[] = predicates.items;

export function registerTransform(d: TransformDefinition, origin: PluginOrigin): AddOutcome {
  return transforms.add(d, origin);
}

export function registerPredicate(d: PredicateDefinition, origin: PluginOrigin): AddOutcome {
  return predicates.add(d, origin);
}

/** Where a transform or predicate came from ("built-in" or its file). */
export function transformOrigin(d: TransformDefinition | PredicateDefinition): PluginOrigin | undefined {
  return d.kind === 'transformation' ? transforms.origin(d) : predicates.origin(d);
}

for (const d of [
  CastKey, CastValue,
  DropHeaders,
  ExtractFieldKey, ExtractFieldValue,
  Filter,
  FlattenKey, FlattenValue,
  HeaderFromKey, HeaderFromValue,
  HoistFieldKey, HoistFieldValue,
  InsertFieldKey, InsertFieldValue,
  InsertHeader,
  MaskFieldKey, MaskFieldValue,
  RegexRouter,
  ReplaceFieldKey, ReplaceFieldValue,
  SetSchemaMetadataKey, SetSchemaMetadataValue,
  TimestampConverterKey, TimestampConverterValue,
  TimestampRouter,
  ValueToKey,
  // Debezium's, for the CDC sources' envelopes.
  ExtractNewRecordState,
]) registerTransform(d, { location: BUILT_IN });
for (const d of [TopicNameMatches, HasHeaderKey, RecordIsTombstone]) registerPredicate(d, { location: BUILT_IN });

type Definition = TransformDefinition | PredicateDefinition;

function find<D extends Definition>(list: readonly D[], type: string): D | undefined {
  const t = type.trim();
  return list.find((d) => d.className === t) ?? list.find((d) => d.aliases.includes(t));
}

export function findTransform(type: string): TransformDefinition | undefined {
  return transforms.find(type);
}

export function findPredicate(type: string): PredicateDefinition | undefined {
  return predicates.find(type);
}

/** A configured chain of transforms: run in order, each optionally guarded by a predicate. */
export interface TransformChain {
  readonly aliases: readonly string[];
  /** The transformed record, or null when a transform dropped it. Throws DataError (stage TRANSFORMATION). */
  apply<R extends ConnectRecord>(record: R): R | null;
}

interface Stage {
  alias: string;
  className: string;
  transform: RecordTransformation;
  predicate: Predicate | null;
  negate: boolean;
}

/** The config problems of a connector's transforms/predicates keys, without throwing (for validate answers). */
export function validateTransformChain(config: Record<string, string>): ConfigProblem[] {
  return plan(config).problems;
}

/**
 * Builds the chain from Connect's keys: transforms=a,b; transforms.a.type; transforms.a.<key>;
 * transforms.a.predicate / negate; predicates=p; predicates.p.type; predicates.p.<key>.
 * Throws ConfigError listing every problem by key.
 */
export function buildTransformChain(config: Record<string, string>): TransformChain {
  const { stages, problems } = plan(config);
  if (problems.length) {
    throw new ConfigError(`Invalid transforms configuration: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`, problems);
  }
  return {
    aliases: stages.map((s) => s.alias),
    apply<R extends ConnectRecord>(record: R): R | null {
      let current = record;
      for (const stage of stages) {
        try {
          // Applied when the predicate's answer differs from negate (test xor negate).
          if (stage.predicate && stage.predicate.test(current) === stage.negate) continue;
          const next = stage.transform.apply(current);
          if (next === null) return null;
          current = next;
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          throw new DataError(`Transformation '${stage.alias}' (${stage.className}) failed on a record from topic ${current.topic}: ${message}`, 'TRANSFORMATION', { cause: e, executingClass: stage.className });
        }
      }
      return current;
    },
  };
}

function plan(config: Record<string, string>): { stages: Stage[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const predicates = new Map<string, Predicate | null>();
  for (const alias of aliasList(config, 'predicates', problems)) {
    predicates.set(alias, instantiate(config, 'predicates', alias, PREDICATES, problems)?.instance ?? null);
  }

  const stages: Stage[] = [];
  for (const alias of aliasList(config, 'transforms', problems)) {
    const prefix = `transforms.${alias}.`;
    const made = instantiate(config, 'transforms', alias, TRANSFORMS, problems);
    const predicateAlias = config[`${prefix}predicate`]?.trim() || null;
    const negate = parseNegate(config, prefix, predicateAlias, problems);
    let predicate: Predicate | null = null;
    if (predicateAlias !== null) {
      if (!predicates.has(predicateAlias)) {
        problems.push({ key: `${prefix}predicate`, message: `Predicate '${predicateAlias}' is not declared in 'predicates'.` });
      }
      predicate = predicates.get(predicateAlias) ?? null;
    }
    if (made) stages.push({ alias, className: made.definition.className, transform: made.instance, predicate, negate });
  }
  return { stages, problems };
}

/** The aliases in `transforms` or `predicates`; Connect rejects duplicates. */
function aliasList(config: Record<string, string>, key: 'transforms' | 'predicates', problems: ConfigProblem[]): string[] {
  const aliases = (config[key] ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (new Set(aliases).size !== aliases.length) {
    problems.push({ key, message: `Invalid value ${config[key]} for configuration ${key}: Duplicate alias provided.` });
  }
  return [...new Set(aliases)];
}

function parseNegate(config: Record<string, string>, prefix: string, predicateAlias: string | null, problems: ConfigProblem[]): boolean {
  const raw = config[`${prefix}negate`];
  if (raw === undefined) return false;
  if (predicateAlias === null) {
    problems.push({
      key: `${prefix}negate`,
      message: `Config '${prefix}negate' was provided but there is no config '${prefix}predicate' defining a predicate to be negated.`,
    });
  }
  const v = raw.trim().toLowerCase();
  if (v !== 'true' && v !== 'false') {
    problems.push({ key: `${prefix}negate`, message: `Invalid value ${raw} for configuration ${prefix}negate: Expected value to be either true or false` });
  }
  return v === 'true';
}

/** Resolves `<section>.<alias>.type`, parses the alias's own keys and creates the plugin, collecting problems. */
function instantiate<D extends Definition>(
  config: Record<string, string>,
  section: 'transforms' | 'predicates',
  alias: string,
  list: readonly D[],
  problems: ConfigProblem[],
): { definition: D; instance: ReturnType<D['create']> } | null {
  const prefix = `${section}.${alias}.`;
  const typeKey = `${prefix}type`;
  const type = config[typeKey]?.trim();
  if (!type) {
    problems.push({ key: typeKey, message: `Missing required configuration "${typeKey}" which has no default value.` });
    return null;
  }
  const definition = find(list, type);
  if (!definition) {
    problems.push({ key: typeKey, message: unknownTypeMessage(type, typeKey, section, list) });
    return null;
  }
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith(prefix)) continue;
    const name = k.slice(prefix.length);
    // type, predicate and negate belong to the chain, not to the transform.
    if (name === 'type' || (section === 'transforms' && (name === 'predicate' || name === 'negate'))) continue;
    own[name] = v;
  }
  const parsed = definition.config.parse(own);
  if (!parsed.ok) {
    problems.push(...parsed.problems.map((p) => ({ key: prefix + p.key, message: p.message })));
    return null;
  }
  try {
    return { definition, instance: definition.create(parsed.value) as ReturnType<D['create']> };
  } catch (e) {
    if (e instanceof ConfigError && e.problems.length) problems.push(...e.problems.map((p) => ({ key: prefix + p.key, message: p.message })));
    else problems.push({ key: typeKey, message: e instanceof Error ? e.message : String(e) });
    return null;
  }
}

function unknownTypeMessage(type: string, typeKey: string, section: 'transforms' | 'predicates', list: readonly Definition[]): string {
  // Connect's own hint for the abstract base class of a $Key/$Value pair.
  const variants = list.filter((d) => d.className === `${type}$Key` || d.className === `${type}$Value` || d.name === `${type}$Key` || d.name === `${type}$Value`);
  if (variants.length) {
    return `Invalid value ${type} for configuration ${typeKey}: Transformation is abstract and cannot be created. Did you mean ${variants.map((d) => d.className).join(', ')}?`;
  }
  const kind = section === 'transforms' ? 'transformations' : 'predicates';
  return `Invalid value ${type} for configuration ${typeKey}: Class ${type} could not be found. Known ${kind}: ${list.map((d) => d.className).join(', ')}`;
}
