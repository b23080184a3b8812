import { errors, type Client } from '@elastic/elasticsearch';
import { DataError } from '../../errors.js';
import type { PluginLogger } from '../types.js';
import type { FieldMapping } from './mapping.js';
import { classifyRequestError, withRetries, type RetrySettings } from './retry.js';

/**
 * Makes sure an index exists before records go to it, as Confluent's task does (so it works with
 * action.auto_create_index off), and, when schemas are not ignored, that it has a mapping: a new
 * index is created with the mapping derived from the record schema; an existing index without
 * one gets it; an index that already has a mapping is left as it is. Checked once per index per task.
 */
export class IndexPreparer {
  /** Indices known to exist. */
  private readonly existing = new Set<string>();
  /** Indices known to have a mapping. */
  private readonly mapped = new Set<string>();
  /** Checks in progress, by index (and whether a mapping is wanted). */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly retry: RetrySettings,
    private readonly logger: PluginLogger,
  ) {}

  isMapped(index: string): boolean {
    return this.mapped.has(index);
  }

  /** Throws DataError when Elasticsearch refuses the index or mapping, RetriableError when it cannot be reached. */
  async prepare(index: string, mapping: FieldMapping | null, signal: AbortSignal): Promise<void> {
    if (mapping ? this.mapped.has(index) : this.existing.has(index)) return;
    // Puts run concurrently: one check per index at a time.
    const key = `${mapping ? 'm' : 'e'}:${index}`;
    const running = this.pending.get(key);
    if (running) {
      await running.catch(() => undefined);
      return this.prepare(index, mapping, signal);
    }
    const p = this.check(index, mapping, signal);
    this.pending.set(key, p);
    try {
      await p;
    } finally {
      this.pending.delete(key);
    }
  }

  private async check(index: string, mapping: FieldMapping | null, signal: AbortSignal): Promise<void> {
    try {
      let properties = await this.properties(index, signal);
      if (properties === null) {
        if (await this.create(index, mapping, signal)) {
          this.logger.info({ index, mapping: mapping !== null }, 'Created Elasticsearch index');
          return this.remember(index, mapping);
        }
        properties = (await this.properties(index, signal)) ?? {};
      }
      if (mapping && Object.keys(properties).length === 0) {
        await withRetries(`put the mapping of index ${index}`, this.retry, signal, () =>
          this.client.indices.putMapping({ index, ...mapping }, { signal }));
        this.logger.info({ index }, 'Put mapping derived from the record schema');
      }
      this.remember(index, mapping);
    } catch (e) {
      const problem = classifyRequestError(e);
      if (problem?.kind === 'rejected') throw new DataError(`Elasticsearch refused index ${index}: ${problem.message}`, 'TASK_PUT', { cause: e });
      throw e;
    }
  }

  private remember(index: string, mapping: FieldMapping | null): void {
    this.existing.add(index);
    if (mapping) this.mapped.add(index);
  }

  /** The index's mapped properties ({} when it has no mapping yet), or null when it does not exist. */
  private async properties(index: string, signal: AbortSignal): Promise<Record<string, unknown> | null> {
    try {
      const answer = await withRetries(`read the mapping of index ${index}`, this.retry, signal, () =>
        this.client.indices.getMapping({ index }, { signal }));
      // The index may be an alias: its one concrete index answers under its own name.
      const first = Object.values(answer)[0];
      return (first?.mappings?.properties as Record<string, unknown> | undefined) ?? {};
    } catch (e) {
      if (e instanceof errors.ResponseError && e.statusCode === 404) return null;
      throw e;
    }
  }

  /** Creates the index; false when someone else created it first. */
  private async create(index: string, mapping: FieldMapping | null, signal: AbortSignal): Promise<boolean> {
    try {
      await withRetries(`create index ${index}`, this.retry, signal, () =>
        this.client.indices.create({ index, ...(mapping ? { mappings: mapping } : {}) }, { signal }));
      return true;
    } catch (e) {
      if (classifyRequestError(e)?.type === 'resource_already_exists_exception') return false;
      throw e;
    }
  }
}
