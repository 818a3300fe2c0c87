import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) that the summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  /** Microseconds on the monotonic clock, the one process.hrtime reads. */
  startTime: number;
}

/** Now on the clock profiles are stamped with (CLOCK_MONOTONIC), in microseconds. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

const ROOT = path.resolve(__dirname, '..');

/** Where a function lives, in short: a package, a file of ThreatDesk, Node's internals, or V8's own buckets. */
function moduleOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node (internals)';
  const file = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return pkg[1] as string;
  return path.relative(ROOT, file) || file;
}

function label(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const where = frame.url ? `${moduleOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}

export interface ProfileSummary {
  /** Milliseconds sampled, idle excluded. */
  busyMs: number;
  /** Self time by function, highest first. */
  self: { what: string; ms: number }[];
  /** Time including callees, by function, highest first (each function counted once per stack). */
  total: { what: string; ms: number }[];
  /** Self time by package or file. */
  modules: { what: string; ms: number }[];
}

/**
 * Self and inclusive time by function and by module, from every profile in `dir`, counting only
 * the samples taken within `window` (monotonicUs() readings) when given: the load, not the start.
 */
export function summariseProfiles(dir: string, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const modules = new Map<string, number>();
  let busy = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      at += profile.timeDeltas[i] ?? 0;
      if (window && (at < window.fromUs || at > window.toUs)) return;
      const node = byId.get(id);
      if (!node) return;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      if (node.callFrame.functionName === '(idle)') return;
      busy += ms;
      add(self, label(node.callFrame), ms);
      add(modules, moduleOf(node.callFrame.url, node.callFrame.functionName), ms);
      const seen = new Set<string>();
      for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
        const n = byId.get(up);
        if (!n || n.callFrame.functionName === '(root)') continue;
        const k = label(n.callFrame);
        if (seen.has(k)) continue;
        seen.add(k);
        add(total, k, ms);
      }
    });
  }
  const top = (m: Map<string, number>) => [...m].map(([what, ms]) => ({ what, ms })).sort((a, b) => b.ms - a.ms);
  return { busyMs: busy, self: top(self), total: top(total), modules: top(modules) };
}

/** Prints the top of a summary as Markdown tables. */
export function printProfile(s: ProfileSummary, n = 15): void {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1)} %`;
  console.log(`\nCPU profile of the app process under load: ${Math.round(s.busyMs)} ms busy (idle excluded)`);
  console.log('| self time, by package or file | ms | share |');
  console.log('|---|---:|---:|');
  for (const m of s.modules.slice(0, 12)) console.log(`| ${m.what} | ${Math.round(m.ms)} | ${pct(m.ms)} |`);
  console.log('| self time, by function | ms | share |');
  console.log('|---|---:|---:|');
  for (const f of s.self.slice(0, n)) console.log(`| ${f.what} | ${Math.round(f.ms)} | ${pct(f.ms)} |`);
  console.log('| total time (with callees), by function | ms | share |');
  console.log('|---|---:|---:|');
  for (const f of s.total.filter((t) => !/^\((program|garbage collector)\)/.test(t.what)).slice(0, n)) console.log(`| ${f.what} | ${Math.round(f.ms)} | ${pct(f.ms)} |`);
  console.log('| total time (with callees), ThreatDesk\'s own functions and views | ms | share |');
  console.log('|---|---:|---:|');
  for (const f of s.total.filter((t) => / (dist|src|views)\/|"[^"]*\/views\//.test(t.what)).slice(0, n)) console.log(`| ${f.what} | ${Math.round(f.ms)} | ${pct(f.ms)} |`);
}
