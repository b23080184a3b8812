// Summarizes a V8 .cpuprofile (node --cpu-prof): self time by function and by file/package, and
// the total ("inclusive") time of functions whose name or file matches a filter.
//
//   npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [--top 30] [--match regex]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export function summarize(file: string, top = 30, match?: RegExp): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const short = (url: string) => {
    const u = url.replace(/^file:\/\//, '');
    const nm = u.lastIndexOf('node_modules/');
    if (nm >= 0) {
      const rest = u.slice(nm + 'node_modules/'.length).split('/');
      return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    }
    const m = /\/work\/[^/]+\/(.*)$/.exec(u) ?? /\/tmp\/[^/]+\/(.*)$/.exec(u);
    return m ? m[1] : u || '(native)';
  };
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

  const fnSelf = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + us);
    const f = n.callFrame.url ? short(n.callFrame.url) : n.callFrame.functionName;
    fileSelf.set(f, (fileSelf.get(f) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${Math.round(us / 1000)} ms`.padStart(9);
  const lines: string[] = [`${file}: ${Math.round(total / 1000)} ms sampled (${Math.round((p.endTime - p.startTime) / 1000)} ms wall)`];
  lines.push('', 'self time by file / package:');
  for (const [k, us] of [...fileSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(us)} ${ms(us)}  ${k}`);
  lines.push('', 'self time by function:');
  for (const [k, us] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(us)} ${ms(us)}  ${k}`);

  if (match) {
    // Inclusive time: a sample counts once for each distinct matching frame on its stack.
    const incl = new Map<string, number>();
    for (const [id, us] of selfUs) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const n = byId.get(cur)!;
        const l = label(n);
        if (!seen.has(l) && match.test(l)) {
          seen.add(l);
          incl.set(l, (incl.get(l) ?? 0) + us);
        }
      }
    }
    lines.push('', `inclusive time of frames matching ${match}:`);
    for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(us)} ${ms(us)}  ${k}`);
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [--top N] [--match regex]\n');
    process.exit(2);
  }
  const top = Number(args[args.indexOf('--top') + 1]) || 30;
  const mi = args.indexOf('--match');
  process.stdout.write(summarize(file, top, mi >= 0 ? new RegExp(args[mi + 1]) : undefined) + '\n');
}
