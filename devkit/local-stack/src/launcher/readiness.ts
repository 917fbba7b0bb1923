import { request } from 'node:http';

// Readiness probes over node:http: `fetch` (undici) refuses the ports on the
// WHATWG "bad ports" list (6000, 6665-6669, 10080, …) without sending a byte,
// so a service on such a port would never look ready.

export interface ProbeResult {
  ok: boolean;
  /** What the last probe saw, for the message when the wait gives up. */
  detail: string;
}

/** One GET of `url`: ok on 2xx. Never rejects. */
export function probe(url: string, timeoutMs = 2_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 500) body += chunk;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, detail: `HTTP ${status} ${body.slice(0, 500)}`.trim() });
      });
      res.on('error', (error) => resolve({ ok: false, detail: error.message }));
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (error) => resolve({ ok: false, detail: error.message }));
    req.end();
  });
}

/**
 * Polls `url` until it answers 2xx. Rejects after `timeoutMs` with what the
 * last probe saw, or at once (without a message of its own) when `gaveUp()`.
 */
export async function waitForReady(
  url: string,
  timeoutMs: number,
  gaveUp: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!gaveUp()) {
    const last = await probe(url);
    if (last.ok) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `${url} did not become ready within ${timeoutMs / 1000} s (last answer: ${last.detail})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new GaveUp();
}

export class GaveUp extends Error {
  constructor() {
    super('stopped waiting: the launcher is stopping');
  }
}

/** The address to probe a service bound to `host` on (a wildcard bind answers on loopback). */
export function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
