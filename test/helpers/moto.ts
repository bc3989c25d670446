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

/** What the fault proxy does to a matching call. */
export type Fault =
  /** CloudFormation's `Throttling: Rate exceeded` (HTTP 400): the request did nothing. */
  | 'throttle'
  /** An `InternalFailure` (HTTP 500) answered without forwarding: the request did nothing. */
  | 'error500'
  /** Never answer (the connection stays open until the client gives up or the proxy closes). */
  | 'freeze'
  /** Forward after this many milliseconds. */
  | { delayMs: number };

export interface FaultRule {
  /** CloudFormation Action (`ExecuteChangeSet`), or `S3` for any S3 call; a RegExp tests the same names. */
  call: string | RegExp;
  fault: Fault;
  /** Apply to this many matching calls, then stop (default: every one). */
  times?: number;
}

export interface FaultProxy {
  port: number;
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Every call seen, in order (CloudFormation Action, or `S3 METHOD /path`), faulted or not. */
  calls: string[];
  /** The rules in force, first match wins; change them at any time (e.g. from `onCall`). */
  rules: FaultRule[];
  /** Called for each call as it arrives, before any rule (e.g. to press Ctrl-C at an exact point). */
  onCall?: (call: string) => void;
  close(): Promise<void>;
}

const THROTTLE_XML =
  '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>' +
  '<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>';
const INTERNAL_XML =
  '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Receiver</Type>' +
  '<Code>InternalFailure</Code><Message>We encountered an internal error. Please try again.</Message></Error>' +
  '<RequestId>fault-proxy</RequestId></ErrorResponse>';

/**
 * A loopback proxy in front of moto that throttles, fails, delays or freezes chosen calls, as AWS
 * (or a bad network) does. CloudFormation's own error shapes, so the SDK reads them as AWS's.
 */
export async function faultProxy(target: number, rules: FaultRule[] = []): Promise<FaultProxy> {
  const frozen = new Set<http.ServerResponse>();
  const proxy: FaultProxy = {
    port: 0,
    endpoint: '',
    calls: [],
    rules,
    close: async () => {
      for (const res of frozen) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString('utf8')).get('Action');
      const call = action ?? `S3 ${req.method} ${req.url?.split('?')[0]}`;
      proxy.calls.push(call);
      proxy.onCall?.(call);
      const name = action ?? 'S3';
      const rule = proxy.rules.find(
        (r) => (r.times === undefined || r.times > 0) && (typeof r.call === 'string' ? r.call === name : r.call.test(name)),
      );
      if (rule && rule.times !== undefined) rule.times--;
      const forward = () => {
        const upstream = http.request(
          { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 500, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', (e) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          res.writeHead(502);
          res.end(String(e));
        });
        upstream.end(body);
      };
      const fault = rule?.fault;
      if (fault === 'throttle' || fault === 'error500') {
        const xml = fault === 'throttle' ? THROTTLE_XML : INTERNAL_XML;
        res.writeHead(fault === 'throttle' ? 400 : 500, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
      } else if (fault === 'freeze') {
        frozen.add(res);
        res.on('close', () => frozen.delete(res));
      } else if (fault && typeof fault === 'object') {
        setTimeout(forward, fault.delayMs);
      } else forward();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.port = (server.address() as net.AddressInfo).port;
  proxy.endpoint = `http://127.0.0.1:${proxy.port}`;
  return proxy;
}
