// The JDBC source runs its `query` (and `query.suffix`) on every poll. A source only reads, so
// the query must be one SELECT statement, or WITH … SELECT; anything else is refused when the
// config is validated. The task's database session is also read-only (connection.ts), so a
// statement that got past this check still cannot change data or schema.
//
// The check reads MySQL/MariaDB lexical structure (comments, quoted strings and identifiers) so
// that a keyword inside a string or a comment is never taken for one in the statement, and a
// `;` or an executable comment cannot smuggle in a second statement.

interface Token {
  kind: 'word' | 'quoted' | 'punct';
  /** Upper-cased for words; the character for punctuation. */
  text: string;
}

type Lexed = { tokens: Token[] } | { error: string };

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Tokens of `sql`. With `backslashEscapes` (MySQL's default), `\` escapes the next character in a
 * quoted string; under sql_mode NO_BACKSLASH_ESCAPES (or ANSI_QUOTES for "…") it does not.
 */
function lexIn(sql: string, backslashEscapes: boolean): Lexed {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const lineEnd = (from: number) => {
    const j = sql.indexOf('\n', from);
    return j < 0 ? n : j + 1;
  };
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { i = lineEnd(i); continue; }
    // MySQL: "--" starts a comment only when a space or control character (or the end) follows.
    if (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || sql.charCodeAt(i + 2) <= 32)) { i = lineEnd(i); continue; }
    if (c === '/' && sql[i + 1] === '*') {
      // /*! … */ and /*M! … */ are run by the server as SQL, not skipped.
      if (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!')) {
        return { error: 'executable comments (/*! … */, /*M! … */) are not allowed: the server runs their content as SQL' };
      }
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return { error: 'a /* comment is not closed' };
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= n) return { error: `a ${c} quoted ${c === '`' ? 'identifier' : 'string'} is not closed` };
        const d = sql[j];
        // Backslash escapes apply to strings (the default sql_mode); never to `identifiers`.
        if (d === '\\' && c !== '`' && backslashEscapes) { j += 2; continue; }
        if (d === c) {
          if (sql[j + 1] === c) { j += 2; continue; }
          break;
        }
        j++;
      }
      tokens.push({ kind: 'quoted', text: sql.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    if (WORD.test(c)) {
      let j = i + 1;
      while (j < n && WORD.test(sql[j])) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j).toUpperCase() });
      i = j;
      continue;
    }
    tokens.push({ kind: 'punct', text: c });
    i++;
  }
  return { tokens };
}

/**
 * The tokens, the same whatever the server's sql_mode: a backslash before a quote would end the
 * string early under NO_BACKSLASH_ESCAPES and let what follows run as SQL, so such a query is refused.
 */
function lex(sql: string): Lexed {
  const escaped = lexIn(sql, true);
  if ('error' in escaped) return escaped;
  const plain = lexIn(sql, false);
  const same = !('error' in plain) && plain.tokens.length === escaped.tokens.length
    && plain.tokens.every((t, i) => t.kind === escaped.tokens[i].kind && t.text === escaped.tokens[i].text);
  if (!same) return { error: "a backslash before a quote reads differently when the server's sql_mode has NO_BACKSLASH_ESCAPES: double the quote instead ('it''s')" };
  return escaped;
}

const isWord = (t: Token | undefined, ...words: string[]) => t?.kind === 'word' && words.includes(t.text);
const isPunct = (t: Token | undefined, p: string) => t?.kind === 'punct' && t.text === p;

/** Index just past the parenthesised group opening at `open`, or -1 when it is not closed. */
function skipGroup(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')') && --depth === 0) return i + 1;
  }
  return -1;
}

/** Keywords that make a SELECT write or lock, wherever they stand (a word after `.` is a column name). */
function writingClause(tokens: Token[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'word' || isPunct(tokens[i - 1], '.')) continue;
    if (t.text === 'INTO') return 'SELECT … INTO writes to a file, a dump file or variables: remove INTO';
    if ((t.text === 'FOR' && isWord(tokens[i + 1], 'UPDATE', 'SHARE')) || (t.text === 'LOCK' && isWord(tokens[i + 1], 'IN'))) {
      return 'locking reads (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE) are refused: the source reads in a read-only session and must not hold locks writers wait for';
    }
  }
  return undefined;
}

/** Lexing errors and a second statement; then, once the statement kind is known, writing clauses. */
function singleStatementProblem(lexed: Lexed): string | undefined {
  if ('error' in lexed) return lexed.error;
  if (lexed.tokens.some((t) => isPunct(t, ';'))) {
    return "it must be a single statement without ';' (the connector appends its WHERE clause and query.suffix to it)";
  }
  return undefined;
}

/** What is wrong with `sql` as the JDBC source's `query`, or undefined when it is a single read. */
export function readQueryProblem(sql: string): string | undefined {
  const lexed = lex(sql);
  const single = singleStatementProblem(lexed);
  if (single || 'error' in lexed) return single;
  return statementKindProblem(lexed.tokens) ?? writingClause(lexed.tokens);
}

/** Undefined when the tokens are a SELECT, or a WITH clause serving a SELECT. */
function statementKindProblem(tokens: Token[]): string | undefined {
  let i = 0;
  while (isPunct(tokens[i], '(')) i++;
  const first = tokens[i];
  if (!first) return 'it holds no statement';
  const refuse = (found: Token | undefined) =>
    `it must be one SELECT statement (or WITH … SELECT), found ${found ? JSON.stringify(found.text) : 'nothing'}: the JDBC source only reads, and statements that change data or schema are refused`;
  if (isWord(first, 'SELECT')) return undefined;
  if (!isWord(first, 'WITH')) return refuse(first);
  // WITH [RECURSIVE] name [(columns)] AS (query) [, …] then the statement the CTEs serve, which must be a SELECT.
  i++;
  if (isWord(tokens[i], 'RECURSIVE')) i++;
  for (;;) {
    if (tokens[i]?.kind !== 'word' && tokens[i]?.kind !== 'quoted') return 'the WITH clause must read: WITH name AS (SELECT …) SELECT …';
    i++;
    if (isPunct(tokens[i], '(')) i = skipGroup(tokens, i);
    if (i < 0 || !isWord(tokens[i], 'AS') || !isPunct(tokens[i + 1], '(')) return 'the WITH clause must read: WITH name AS (SELECT …) SELECT …';
    i = skipGroup(tokens, i + 1);
    if (i < 0) return "a '(' in the WITH clause is not closed";
    if (!isPunct(tokens[i], ',')) break;
    i++;
  }
  while (isPunct(tokens[i], '(')) i++;
  return isWord(tokens[i], 'SELECT') ? undefined : refuse(tokens[i]);
}

/** What is wrong with `sql` as `query.suffix` (appended to every query), or undefined. */
export function querySuffixProblem(sql: string): string | undefined {
  const lexed = lex(sql);
  return singleStatementProblem(lexed) ?? ('error' in lexed ? undefined : writingClause(lexed.tokens));
}
