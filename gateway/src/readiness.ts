import type { HealthCheck } from '@docuvault/shared/health/index';

/** The gateway can serve only when each subgraph can: its /health/ready must answer 200. */
export function subgraphReadyCheck(name: string, graphqlUrl: string): HealthCheck {
  const readyUrl = new URL('/health/ready', graphqlUrl).toString();
  return {
    component: `subgraph:${name}`,
    async run(signal) {
      const response = await fetch(readyUrl, { signal });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`${readyUrl} answered ${response.status}`);
    },
  };
}
