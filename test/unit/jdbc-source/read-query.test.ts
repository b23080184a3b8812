import { describe, expect, it } from 'vitest';
import { querySuffixProblem, readQueryProblem } from '../../../src/connectors/jdbc-source/read-query.js';
import { jdbcSourceConfig, validateJdbcSource } from '../../../src/connectors/jdbc-source/config.js';

describe('the JDBC source query check', () => {
  it('accepts single reads: SELECT, WITH … SELECT, parenthesised, with comments and keywords in strings', () => {
    const reads = [
      'SELECT * FROM t',
      '  \n\tselect id, name from shop.orders o join shop.items i on i.order_id = o.id',
      '(SELECT a FROM t) UNION (SELECT b FROM u)',
      '((select 1))',
      '/* leading */ -- line\n# hash\nSELECT 1',
      "SELECT 'DROP TABLE x; INSERT INTO y' AS s, \"; DELETE\" AS d, `into` AS `for update` FROM t",
      "SELECT 'a''b;' AS q, 'C:\\\\dir' AS p, 'tab\\there' AS t FROM t",
      'SELECT t.into, t.lock FROM t',
      'SELECT * FROM (SELECT id FROM t WHERE id > 3) x',
      'WITH recent AS (SELECT * FROM orders WHERE ts > NOW() - INTERVAL 1 DAY) SELECT * FROM recent',
      'with recursive n (i) as (select 1 union all select i + 1 from n where i < 5), m as (select 2) select * from n, m',
      'WITH c AS (SELECT 1 AS x) (SELECT x FROM c)',
      'SELECT 1 --comment-less minus minus',
      'SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM t',
      'SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP \'2020-01-01\'',
    ];
    for (const q of reads) expect(readQueryProblem(q), q).toBeUndefined();
  });

  it.each([
    ['DROP TABLE x', /found "DROP"/],
    ['  create table y (id int)', /found "CREATE"/],
    ['INSERT INTO t VALUES (1)', /found "INSERT"/],
    ['UPDATE t SET a = 1', /found "UPDATE"/],
    ['DELETE FROM t', /found "DELETE"/],
    ['TRUNCATE t', /found "TRUNCATE"/],
    ['SET SESSION TRANSACTION READ WRITE', /found "SET"/],
    ['CALL p()', /found "CALL"/],
    ['/* SELECT */ DROP TABLE x', /found "DROP"/],
    ['-- SELECT\nDROP TABLE x', /found "DROP"/],
    ['(DROP TABLE x)', /found "DROP"/],
    ['SHOW TABLES', /found "SHOW"/],
    ['WITH c AS (SELECT 1) DELETE FROM t', /found "DELETE"/],
    ['WITH c AS (SELECT 1) UPDATE t SET a = 1', /found "UPDATE"/],
    ['WITH c SELECT 1', /WITH clause must read/],
    ['WITH c AS (SELECT 1', /not closed/],
    ['SELECT 1; DROP TABLE x', /single statement without ';'/],
    ['SELECT 1;', /single statement without ';'/],
    ['SELECT 1 /*!50000 ; DROP TABLE x */', /executable comments/],
    ['SELECT 1 /*M! , 2 */', /executable comments/],
    ['/*! DROP TABLE x */ SELECT 1', /executable comments/],
    ["SELECT * FROM t INTO OUTFILE '/tmp/x'", /INTO/],
    ['SELECT a INTO @v FROM t', /INTO/],
    ['SELECT * FROM t FOR UPDATE', /locking reads/],
    ['SELECT * FROM t FOR SHARE', /locking reads/],
    ['SELECT * FROM t LOCK IN SHARE MODE', /locking reads/],
    ["SELECT 'unclosed FROM t", /not closed/],
    ['SELECT `unclosed FROM t', /not closed/],
    ['SELECT 1 /* unclosed', /not closed/],
    ['-- only a comment', /holds no statement/],
    // Under NO_BACKSLASH_ESCAPES the string ends at \' and INTO OUTFILE would run.
    ["SELECT 'a\\' INTO OUTFILE '/tmp/x' -- '", /backslash before a quote/],
    ['SELECT "a\\" INTO OUTFILE \'/tmp/x\' -- "', /backslash before a quote/],
    ["SELECT 'it\\'s' FROM t", /backslash before a quote/],
  ])('refuses %s', (q, why) => {
    expect(readQueryProblem(q)).toMatch(why);
  });

  it('checks query.suffix for what could write or add a statement, and accepts ordinary suffixes', () => {
    for (const s of ['LIMIT 100', 'ORDER BY 1 LIMIT 5', "-- a note"]) expect(querySuffixProblem(s), s).toBeUndefined();
    expect(querySuffixProblem('; DROP TABLE x')).toMatch(/;/);
    expect(querySuffixProblem("INTO OUTFILE '/tmp/x'")).toMatch(/INTO/);
    expect(querySuffixProblem('FOR UPDATE')).toMatch(/locking/);
    expect(querySuffixProblem('/*!50000 , sleep(1) */')).toMatch(/executable/);
  });

  it('reports the problem under query / query.suffix in the connector validation', () => {
    const base = { 'connection.url': 'jdbc:mysql://db:3306/shop', mode: 'bulk', 'topic.prefix': 'out' };
    const problems = (raw: Record<string, string>) => {
      const r = jdbcSourceConfig.parse(raw);
      return r.ok ? validateJdbcSource(r.value) : r.problems;
    };
    expect(problems({ ...base, query: 'DROP TABLE x' })).toEqual([{ key: 'query', message: expect.stringMatching(/^Invalid query: it must be one SELECT statement .*found "DROP"/) }]);
    expect(problems({ ...base, query: 'SELECT 1', 'query.suffix': '; DROP TABLE x' })).toEqual([{ key: 'query.suffix', message: expect.stringMatching(/^Invalid query.suffix: /) }]);
    // Table mode appends the suffix too.
    expect(problems({ ...base, 'table.whitelist': 't', 'query.suffix': 'FOR UPDATE' }).map((p) => p.key)).toEqual(['query.suffix']);
    expect(problems({ ...base, query: 'WITH a AS (SELECT 1 AS x) SELECT x FROM a' })).toEqual([]);
  });
});
