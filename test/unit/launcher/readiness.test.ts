import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { isPortFree } from '@docuvault/local-stack/free-port';
import { probe, probeHost, waitForReady } from '@docuvault/local-stack/launcher/readiness';

// Ports fetch() refuses without sending a byte (WHATWG "bad ports"); a service may still listen there.
const BAD_PORTS = [6000, 6665, 6666, 6667, 6668, 6669, 10080];

describe('npm start: readiness probes', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function listenOnABadPort(status: number): Promise<number> {
    for (const port of BAD_PORTS) {
      if (!(await isPortFree(port))) continue;
      server = createServer((_req, res) => res.writeHead(status).end('{"status":"x"}'));
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      return port;
    }
    throw new Error(`none of ${BAD_PORTS.join(', ')} is free`);
  }

  it('reach a service on a port that fetch refuses', async () => {
    const port = await listenOnABadPort(200);
    const url = `http://127.0.0.1:${port}/health/ready`;
    await expect(fetch(url)).rejects.toThrow(); // why node:http is used
    expect(await probe(url)).toEqual({ ok: true, detail: 'HTTP 200 {"status":"x"}' });
    await expect(waitForReady(url, 5_000)).resolves.toBeUndefined();
  });

  it('give up with what the service last answered', async () => {
    const port = await listenOnABadPort(503);
    await expect(waitForReady(`http://127.0.0.1:${port}/health/ready`, 600)).rejects.toThrow(
      /did not become ready within 0.6 s \(last answer: HTTP 503 \{"status":"x"\}\)/,
    );
  });

  it('name the refused connection when nothing listens', async () => {
    expect(await probe('http://127.0.0.1:1/health/ready')).toEqual({
      ok: false,
      detail: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('probe a wildcard bind on loopback', () => {
    expect(probeHost('0.0.0.0')).toBe('127.0.0.1');
    expect(probeHost('::')).toBe('[::1]');
    expect(probeHost('192.0.2.7')).toBe('192.0.2.7');
  });
});
