// MySQL/MariaDB identifier quoting. Every identifier that reaches SQL goes through quoteId,
// so a name that contains a backtick can neither break nor extend the statement.

export interface TableRef {
  /** The database (JDBC catalog) */
  db: string;
  table: string;
}

export function quoteId(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `db`.`table`, the form Confluent's connector writes into a task's `tables` key. */
export function quoteTable(t: TableRef): string {
  return `${quoteId(t.db)}.${quoteId(t.table)}`;
}

/** A column qualified by its table, as Kafka Connect JDBC writes it in table mode. */
export function quoteColumn(column: string, table?: TableRef): string {
  return table ? `${quoteTable(table)}.${quoteId(column)}` : quoteId(column);
}

/** db.table without quotes: the source partition's table name and a whitelist form. */
export function unquotedName(t: TableRef): string {
  return `${t.db}.${t.table}`;
}

/**
 * Splits a list of possibly quoted, possibly qualified names ("`db`.`a,b`,c") at the commas
 * outside backticks, and each name at its dots, unquoting. Used to read a task's `tables`.
 */
export function parseQualifiedList(text: string): string[][] {
  const out: string[][] = [];
  let parts: string[] = [];
  let cur = '';
  let quoted = false;
  let sawQuote = false;
  const endPart = () => {
    parts.push(sawQuote ? cur : cur.trim());
    cur = '';
    sawQuote = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '`' && text[i + 1] === '`') { cur += '`'; i++; }
      else if (ch === '`') quoted = false;
      else cur += ch;
    } else if (ch === '`') {
      quoted = true;
      sawQuote = true;
      cur = '';
    } else if (ch === '.') {
      endPart();
    } else if (ch === ',') {
      endPart();
      if (parts.some((p) => p !== '')) out.push(parts);
      parts = [];
    } else if (!sawQuote) {
      cur += ch;
    }
  }
  if (quoted) throw new Error(`Unterminated backtick in ${JSON.stringify(text)}`);
  endPart();
  if (parts.some((p) => p !== '')) out.push(parts);
  return out;
}

export function parseTableList(text: string, defaultDb: string | null): TableRef[] {
  return parseQualifiedList(text).map((parts) => {
    if (parts.length === 1 && defaultDb !== null) return { db: defaultDb, table: parts[0] };
    if (parts.length === 2) return { db: parts[0], table: parts[1] };
    throw new Error(`Cannot read table name ${JSON.stringify(parts.join('.'))}: expected db.table`);
  });
}
