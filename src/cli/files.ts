// Connector, config and offsets files as the CLI reads them: the JSON users POST to Kafka
// Connect, or a connect-standalone .properties connector file. Pure: text in, typed value out.
import { parse as parseProperties } from 'dot-properties';
import { z } from 'zod';
import { connectorOffsetsSchema, connectorSpecSchema, rawConfigSchema } from '../client/schemas.js';
import { ConfigError } from '../errors.js';
import type { ConnectorOffsets, ConnectorSpec, RawConfig } from '../../workflows/messages.js';

export type FileFormat = 'json' | 'properties';

/** By extension; otherwise JSON when the text starts with `{` (e.g. stdin). */
export function detectFormat(fileName: string, text: string): FileFormat {
  if (/\.json$/i.test(fileName)) return 'json';
  if (/\.properties$/i.test(fileName)) return 'properties';
  return text.trimStart().startsWith('{') ? 'json' : 'properties';
}

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${fileName}: not valid JSON: ${(e as Error).message}`);
  }
}

function flatProperties(text: string): Record<string, string> {
  // path=false keeps dotted keys flat, as Connect reads them.
  return parseProperties(text, false) as Record<string, string>;
}

function check<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, fileName: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => ({ key: i.path.join('.') || '(file)', message: i.message }));
  throw new ConfigError(`${fileName} is not a valid file of this kind`, problems);
}

/** A connector file: JSON `{name, config, initial_state?}`, or properties with `name=` plus the config keys. */
export function parseConnectorFile(text: string, fileName: string): ConnectorSpec {
  if (detectFormat(fileName, text) === 'json') return check(connectorSpecSchema, parseJson(text, fileName), fileName);
  const { name, ...config } = flatProperties(text);
  return check(connectorSpecSchema, { name, config }, fileName);
}

/**
 * A new config for `reconfigure`: a connector file (as for create), a flat JSON map (the body of
 * PUT /connectors/<name>/config) or a properties file. A `name` in the file must match.
 */
export function parseConfigFile(text: string, fileName: string, connectorName: string): RawConfig {
  let name: unknown;
  let config: RawConfig;
  if (detectFormat(fileName, text) === 'json') {
    const json = parseJson(text, fileName);
    const isSpec = typeof json === 'object' && json !== null && typeof (json as { config?: unknown }).config === 'object';
    if (isSpec) ({ name, config } = check(connectorSpecSchema.partial({ name: true }), json, fileName));
    else ({ name, ...config } = check(rawConfigSchema, json, fileName));
  } else {
    ({ name, ...config } = flatProperties(text));
  }
  if (name !== undefined && name !== connectorName) {
    throw new ConfigError(`${fileName} names connector ${JSON.stringify(name)}, not ${JSON.stringify(connectorName)}`, [
      { key: 'name', message: `must be ${JSON.stringify(connectorName)} (or left out)` },
    ]);
  }
  return config;
}

/** An offsets file for `alter-offsets`: the body of PATCH /connectors/<name>/offsets. */
export function parseOffsetsFile(text: string, fileName: string): ConnectorOffsets {
  return check(connectorOffsetsSchema, parseJson(text, fileName), fileName);
}
