import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emulator } from '@threatdesk/emulator';
import { appEnvFor } from '../test/helpers/appEnv';
import { freePort } from '../test/helpers/processes';
import { statusOf } from '../test/helpers/processes';

/**
 * Servers of the benchmarks, each in a child process of its own, so that the CPU time read from
 * /proc/<pid>/stat is the server's alone: not the load generator's, not the emulator's (both stay
 * in the benchmark's own process).
 */

const ROOT = path.resolve(__dirname, '..');

/** Children still running; killed if the benchmark exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

let ticksPerSecond: number | undefined;

/** User + system CPU time of a process, all its threads (GC, libuv pool) included, in milliseconds. */
export function cpuMs(pid: number): number {
  ticksPerSecond ??= (() => {
    try {
      return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      return 100;
    }
  })();
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, in parentheses): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Lines it wrote to stdout and stderr. */
  logs: string[];
  stop(): Promise<void>;
}

async function startProcess(name: string, args: string[], env: Record<string, string>, readyPath: string, timeoutMs = 60_000): Promise<ServerProcess> {
  const port = Number(env.PORT) || (await freePort());
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const logs: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      logs.push(...lines.filter(Boolean));
    });
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited before it was ready: ${logs.slice(-5).join('\n')}`);
    if ((await statusOf(`http://127.0.0.1:${port}${readyPath}`).catch(() => 0)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready after ${timeoutMs} ms: ${logs.slice(-5).join('\n')}`);
    }
    await sleep(100);
  }
  return { name, url, pid: child.pid as number, logs, stop };
}

/** How ThreatDesk runs in the benchmarks: compiled (as the Docker image runs it), or through tsx. */
export interface AppRuntime {
  kind: 'compiled' | 'tsx';
  args: string[];
  /** Why tsx, when compiling was asked for but failed. */
  note?: string;
}

let runtime: AppRuntime | undefined;

/**
 * Compiles ThreatDesk to dist/ (gitignored) once per benchmark run, as the Dockerfile's build stage
 * does, and runs `node dist/server.js`. BENCH_APP=tsx runs src/server.ts through tsx instead (no
 * build); so does a failed build, which the tables then say.
 */
export function appRuntime(): AppRuntime {
  if (runtime) return runtime;
  const tsx: AppRuntime = { kind: 'tsx', args: ['--import', 'tsx', 'src/server.ts'] };
  if (process.env.BENCH_APP === 'tsx') return (runtime = tsx);
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0 || !existsSync(path.join(ROOT, 'dist', 'server.js'))) {
    const why = `${built.stdout ?? ''}${built.stderr ?? ''}`.trim().split('\n').slice(0, 3).join(' ');
    return (runtime = { ...tsx, note: `the build failed (${why || `exit ${built.status}`}), so through tsx` });
  }
  return (runtime = { kind: 'compiled', args: ['dist/server.js'] });
}

export const describeRuntime = (r: AppRuntime) => (r.kind === 'compiled' ? 'compiled (node dist/server.js)' : `through tsx (node --import tsx src/server.ts)${r.note ? `: ${r.note}` : ''}`);

/** Calls the tenant's budget does not limit: for scenarios that are not about the budget. */
export const UNMETERED: Record<string, string> = Object.fromEntries(
  ['QUOTA_GRAPH_PER_MIN', 'QUOTA_DEFENDER_LIST_PER_MIN', 'QUOTA_DEFENDER_LIST_PER_HOUR', 'QUOTA_DEFENDER_GET_PER_MIN', 'QUOTA_DEFENDER_GET_PER_HOUR', 'QUOTA_DEFENDER_WRITE_PER_MIN'].map((k) => [k, '100000']),
);

/**
 * ThreatDesk as production runs it (NODE_ENV=production, LOG_LEVEL=warn, compiled), signing in
 * through the emulator and configured only by environment; `env` adds or overrides variables.
 */
export async function startThreatDesk(emu: Emulator, env: Record<string, string> = {}, options: { nodeArgs?: string[] } = {}): Promise<ServerProcess & { runtime: AppRuntime }> {
  const r = appRuntime();
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const app = await startProcess(
    'ThreatDesk',
    [...(options.nodeArgs ?? []), ...r.args],
    {
      ...(await appEnvFor(emu, baseUrl)),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SESSION_SECRETS: randomBytes(32).toString('base64url'),
      ...env,
      PORT: String(port),
    },
    '/readyz',
  );
  return { ...app, runtime: r };
}

/** The ceiling: bench/ceiling/server.ts rendering the queue table from the incidents in `rowsFile`. */
export function startCeiling(rowsFile: string): Promise<ServerProcess> {
  return startProcess('ceiling', ['--import', 'tsx', 'bench/ceiling/server.ts'], { NODE_ENV: 'production', BENCH_CEILING_ROWS: rowsFile }, '/healthz');
}
