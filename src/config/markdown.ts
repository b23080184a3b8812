import type { ConfigKey } from './define.js';

// Markdown pieces the generated references share (docs/transforms.md, docs/connectors.md,
// docs/worker-properties.md): prose on one line, table cells, inline code, defaults.

/** Prose on one line, without HTML-looking tags (`<topic>` would vanish). */
export function prose(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Prose safe inside a Markdown table cell. */
export function cell(text: string): string {
  return prose(text).replace(/\|/g, '\\|');
}

/** Inline code (literal, entities are not decoded there) that survives backticks; pipes escaped in tables. */
export function code(text: string, inTable = true): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  const body = text.replace(/\s*\n\s*/g, ' ');
  return `${fence}${pad}${inTable ? body.replace(/\|/g, '\\|') : body}${pad}${fence}`;
}

/** The default as Connect's ConfigDef prints it: lists comma-joined, none = null. */
export function defaultCell(k: ConfigKey): string {
  if (k.meta.required) return '*required*';
  const d = k.meta.default;
  if (d === undefined || d === null) return 'null';
  const text = Array.isArray(d) ? d.join(',') : String(d);
  // A line feed or tab default (a separator) is shown escaped: a table cell holds no line break.
  return text === '' ? '""' : code(escapeControls(text));
}

/** Line feeds, carriage returns and tabs as \n, \r, \t. */
function escapeControls(text: string): string {
  return text.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/** A GitHub-style heading anchor. */
export const anchor = (name: string) => `#${name.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')}`;

/** A Markdown table: the header row, its rule, then one row per entry (cells already escaped). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')).replace(/ /g, ''), ...rows.map(line)];
}
