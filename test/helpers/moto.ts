/**
 * A moto server (reference/test-peers.md) on a free loopback port, for end-to-end tests that need a
 * real CloudFormation API: start it once per test file, reset it between cases, stop it after.
 * Its log (werkzeug's request lines and moto's tracebacks) is kept, so a test can show which moto
 * code failed when moto answers a request with a bare HTTP 500.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { peerAvailable } from '../../packages/core/src/testing.js';

/**
 * Whether moto's server can be imported (the team's peer policy: in CI a missing moto is a failure;
 * elsewhere the tests skip, after one line saying how to install it).
 */
export function motoAvailable(): boolean {
  return peerAvailable('python3', { name: 'moto', args: ['-c', 'import moto.server'], install: 'pip install "moto[server]"' });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      if (Date.now() > until) throw new Error(`moto did not answer at ${url} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface MotoServer {
  port: number;
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Forget every resource and stack (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** How much moto has logged so far (characters): a mark for `logSince`. */
  logLength(): number;
  /** What moto logged after `mark` (of the last few MB it logged). */
  logSince(mark: number): string;
  stop(): Promise<void>;
}

const LOG_LIMIT = 4 * 1024 * 1024;

/** Start `python3 -m moto.server` on a free loopback port; resolves once it answers. */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let dropped = 0;
  const keep = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > LOG_LIMIT) {
      dropped += log.length - LOG_LIMIT / 2;
      log = log.slice(-LOG_LIMIT / 2);
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${endpoint}/moto-api/`, 20_000);
  } catch (e) {
    child.kill();
    throw e;
  }
  return {
    port,
    endpoint,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto reset answered HTTP ${res.status}`);
    },
    logLength: () => dropped + log.length,
    logSince: (mark) => log.slice(Math.max(0, mark - dropped)),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** A loopback proxy in front of moto that records each AWS API call (CloudFormation Action, or S3 method+path). */
export async function countingProxy(target: number): Promise<{ port: number; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString('utf8')).get('Action');
      calls.push(action ?? `S3 ${req.method} ${req.url?.split('?')[0]}`);
      const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 500, up.headers);
        up.pipe(res);
      });
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
