// The plain binlog reader beside bench/source-mysql-cdc.ts: @vlasky/zongji alone, from the same
// start position, counting the row images of one database until N arrived. No envelopes, no
// serialization: the floor any binlog CDC on this library pays.
import ZongJi from '@vlasky/zongji';

const args = process.argv.slice(2);
const flag = (name: string) => args[args.indexOf(`--${name}`) + 1]!;
const start = JSON.parse(flag('start')) as { file: string; pos: number; gtids?: string };
const db = flag('db');
const n = Number(flag('changes'));

const z = new ZongJi({
  host: process.env.MYSQL_HOST ?? '127.0.0.1', port: Number(process.env.MYSQL_PORT ?? 3306),
  user: process.env.MYSQL_USER ?? 'tconnect', password: process.env.MYSQL_PASSWORD ?? '',
  dateStrings: true, timezone: 'Z', supportBigNumbers: true,
});
let rows = 0;
let t0 = 0;
z.on('ready', () => { t0 = performance.now(); });
z.on('error', (e: Error) => { console.error(e); process.exit(1); });
z.on('binlog', (e: { getEventName(): string; tableMap?: Record<number, { parentSchema: string }>; tableId?: number; rows?: unknown[] }) => {
  if (e.tableMap?.[e.tableId ?? -1]?.parentSchema !== db) return;
  rows += e.rows?.length ?? 0;
  if (rows >= n) {
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ rows, ms, rss: process.memoryUsage().rss }) + '\n');
    z.stop();
    process.exit(0);
  }
});
z.start({
  serverId: 8000 + Math.floor(Math.random() * 1000),
  includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows'],
  ...(start.gtids ? { gtidSet: start.gtids } : { filename: start.file, position: start.pos }),
});
