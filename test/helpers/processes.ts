import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator, type Emulator, type EmulatorOptions } from '@threatdesk/emulator';
import { appEnvFor } from './appEnv';
import { itemAt } from '@threatdesk/emulator/testing';
import { dropKeysAndClose, type RawRedis } from './redisKeys';
import { onTestDatabase, TEST_DATABASE_URL } from './testDatabase';

const ROOT = path.resolve(__dirname, '../..');

/** Children still running; killed if the test process exits without its afterAll (crash, timeout). */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** A port nothing listens on right now (the OS picks it; the tiny race with other tests is accepted). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(what: string, check: () => Promise<boolean>, exited: () => string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited();
    if (gone) throw new Error(`${what} exited before it was ready: ${gone}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms`);
    await sleep(50);
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** The status an HTTP GET gets (for readiness probes), or a rejection when nothing answers within a second. */
export function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 1_000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** A `redis-server` of the test's own, so outages can be staged without touching the shared one. */
export interface RedisServer {
  port: number;
  /** redis:// or rediss://, with the password if there is one. */
  url: string;
  /** SIGKILL: a crash; clients see the connection refused. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a frozen Redis that keeps its sockets open but answers nothing. */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port (after kill). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisServer(options: { port?: number; password?: string; tls?: { certFile: string; keyFile: string } } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  // No persistence: a restart starts empty, which is what a crashed cache-only Redis does.
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.certFile, '--tls-key-file', options.tls.keyFile, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  if (options.password) args.push('--requirepass', options.password);
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = track(spawn('redis-server', args, { stdio: 'ignore' }));
    child = c;
    const exited = () => (c.exitCode !== null ? `exit ${c.exitCode}` : undefined);
    // Redis listens only once it is ready; a TCP connection is enough, whatever TLS or AUTH it wants next.
    const listening = () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
    await waitFor(`redis-server :${port}`, listening, exited, 5_000);
  };
  await start();
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://${options.password ? `:${encodeURIComponent(options.password)}@` : ''}127.0.0.1:${port}`,
    kill: () => (child ? stopChild(child, 'SIGKILL', 1_000) : Promise.resolve()),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    start,
    async close() {
      if (!child) return;
      child.kill('SIGCONT');
      await stopChild(child, 'SIGKILL', 1_000);
    },
  };
}

/** One ThreatDesk instance as production runs it: its own Node process, configured only by environment. */
export interface AppProcess {
  name: string;
  port: number;
  /** Where the test (or the balancer) reaches this instance directly. */
  url: string;
  child: ChildProcess;
  /** Every line it wrote to stdout and stderr (pino JSON), for leak scans. */
  logs: string[];
  alive(): boolean;
  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts an instance and waits until `/readyz` answers 200 (or only `/healthz`, for instances started
 * while their Redis is down on purpose).
 */
export async function startAppProcess(name: string, env: Record<string, string>, options: { readyPath?: '/readyz' | '/healthz' } = {}): Promise<AppProcess> {
  const port = Number(env.PORT) || (await freePort());
  // `node --import tsx` rather than `npx tsx`: one process whose pid is the server's, so signals reach it.
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const logs: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      logs.push(...lines.filter(Boolean));
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? `exit ${child.exitCode ?? child.signalCode}: ${logs.slice(-5).join('\n')}` : undefined);
  try {
    await waitFor(`app ${name}`, async () => (await statusOf(`${url}${options.readyPath ?? '/readyz'}`)) === 200, exited, 20_000);
  } catch (err) {
    await stopChild(child, 'SIGKILL', 0);
    throw err;
  }
  return {
    name,
    port,
    url,
    child,
    logs,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: (graceMs = 5_000) => stopChild(child, 'SIGTERM', graceMs),
  };
}

/**
 * The environment of an instance that signs in through the emulator and keeps sessions in Redis.
 * Every replica must get the same SESSION_SECRETS, TOKEN_CACHE_KEYS, REDIS_KEY_PREFIX and BASE_URL.
 */
export async function redisAppEnv(
  emu: Emulator,
  shared: { baseUrl: string; redisUrl: string; keyPrefix: string; sessionSecret?: string; tokenCacheKey?: string },
): Promise<Record<string, string>> {
  return {
    ...(await appEnvFor(emu, shared.baseUrl)),
    SESSION_SECRETS: shared.sessionSecret ?? randomBytes(32).toString('base64url'),
    SESSION_STORE: 'redis',
    REDIS_URL: shared.redisUrl,
    REDIS_KEY_PREFIX: shared.keyPrefix,
    TOKEN_CACHE_KEYS: shared.tokenCacheKey ?? randomBytes(32).toString('base64'),
    LOG_LEVEL: 'info',
  };
}

/**
 * The load balancer in front of the replicas: one public origin (BASE_URL), requests spread over the
 * backends. A test may pin a request to a backend with the `x-test-backend` header, or set `route`.
 */
export class Balancer {
  /** Picks the backend when the request does not name one; round-robin unless a test replaces it. */
  route: (req: http.IncomingMessage) => string;
  readonly served: { backend: string; method: string; path: string; status: number }[] = [];
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private next = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly backends: Record<string, string>,
  ) {
    this.route = this.roundRobin(Object.keys(backends));
    server.on('request', (req, res) => this.forward(req, res));
  }

  /** Listens before the backends exist, so they can be started with BASE_URL = this URL. */
  static async listen(): Promise<Balancer> {
    const server = http.createServer();
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as net.AddressInfo;
    return new Balancer(server, `http://localhost:${port}`, {});
  }

  setBackends(backends: Record<string, string>): void {
    for (const k of Object.keys(this.backends)) delete this.backends[k];
    Object.assign(this.backends, backends);
    this.route = this.roundRobin(Object.keys(backends));
  }

  private roundRobin(names: string[]): () => string {
    return () => itemAt(names, this.next++ % names.length, 'balancer backends');
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const pinned = req.headers['x-test-backend'];
    const backend = typeof pinned === 'string' && this.backends[pinned] ? pinned : this.route(req);
    const target = new URL(req.url ?? '/', this.backends[backend]);
    const upstream = http.request(target, { method: req.method, headers: req.headers, agent: this.agent }, (up) => {
      this.served.push({ backend, method: req.method ?? 'GET', path: req.url ?? '/', status: up.statusCode ?? 0 });
      // Raw headers keep every Set-Cookie line as the app sent it.
      res.writeHead(up.statusCode ?? 502, [...up.rawHeaders, 'x-served-by', backend]);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      this.served.push({ backend, method: req.method ?? 'GET', path: req.url ?? '/', status: 502 });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', 'x-served-by': backend });
      res.end(`balancer: ${backend} unreachable (${err.message})`);
    });
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export interface Replicas {
  emu: Emulator;
  lb: Balancer;
  a: AppProcess;
  b: AppProcess;
  /** The PostgreSQL schema both replicas keep their incident index in. */
  schema: string;
}

/**
 * Two ThreatDesk processes sharing Redis and PostgreSQL (a schema of the test database) behind one
 * test balancer. In production replicas share one public origin, so both get BASE_URL = the
 * balancer's URL; tests pick which replica serves a request. The tenant's API budget is not what
 * these tests test: it is set out of reach.
 */
export async function startReplicas(emulatorOptions: EmulatorOptions, redis: { url: string; keyPrefix: string }, extraEnv: Record<string, string> = {}): Promise<Replicas> {
  const emu = await startEmulator(emulatorOptions);
  const lb = await Balancer.listen();
  const schema = `td_${randomBytes(8).toString('hex')}`;
  try {
    await onTestDatabase(`create schema ${schema}`);
    const env = {
      ...(await redisAppEnv(emu, { baseUrl: lb.url, redisUrl: redis.url, keyPrefix: redis.keyPrefix })),
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      QUOTA_GRAPH_PER_MIN: '100000',
      QUOTA_DEFENDER_LIST_PER_MIN: '100000',
      QUOTA_DEFENDER_LIST_PER_HOUR: '100000',
      QUOTA_DEFENDER_GET_PER_MIN: '100000',
      QUOTA_DEFENDER_GET_PER_HOUR: '100000',
      ...extraEnv,
    };
    const [a, b] = await Promise.all([startAppProcess('a', env), startAppProcess('b', env)]);
    lb.setBackends({ a: a.url, b: b.url });
    return { emu, lb, a, b, schema };
  } catch (err) {
    await lb.close();
    await emu.close();
    throw err;
  }
}

/** Stops what startReplicas started (parts may be missing after a failed start) and deletes the run's keys. */
export async function stopReplicas(r: Partial<Replicas>, raw: RawRedis, keyPrefix: string): Promise<void> {
  await Promise.all([r.a?.stop(), r.b?.stop()]);
  await r.lb?.close();
  await r.emu?.close();
  if (r.schema) await onTestDatabase(`drop schema if exists ${r.schema} cascade`);
  await dropKeysAndClose(raw, keyPrefix);
}
