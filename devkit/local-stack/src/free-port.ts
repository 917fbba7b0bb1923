import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port on `host` that nothing is bound to right now, for a process that
 * will bind it later. It is picked at random *below* the kernel's ephemeral
 * range: a port from that range (what `listen(0)` returns) is also handed to
 * every outgoing connection and to every other `listen(0)` on the machine, so
 * in a parallel test run it is often taken again before the caller binds it.
 * Below the range only another explicit pick can take it. That is still a race,
 * so callers that pick a port this way retry on "address in use".
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const { low, high } = PICK_RANGE;
  for (let tries = 0; high > low && tries < 50; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await isPortFree(port, host)) return port;
  }
  return kernelPickedPort(host);
}

/** True when nothing listens on `host:port` right now (a bind succeeds). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

// Ten thousand ports below the ephemeral range (32768 on Linux by default),
// never below the unprivileged 1024; empty when the range starts too low.
const PICK_RANGE = (() => {
  const ephemeralLow = ephemeralRangeStart();
  return { low: Math.max(1024, ephemeralLow - 10_000), high: ephemeralLow };
})();

function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const parsed = Number(low);
    return Number.isInteger(parsed) && parsed > 0 ? parsed : 32_768;
  } catch {
    return 32_768; // not Linux: Linux's default
  }
}

function kernelPickedPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
