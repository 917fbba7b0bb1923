import { subgraphUrl, type OpsConfig } from '@docuvault/shared/config/index';
import { ownVersion, type ServiceVersion } from '@docuvault/shared/health/index';

export interface ServiceVersionReport {
  service: string;
  version: ServiceVersion | null;
  error: string | null;
}

async function fetchVersion(
  service: 'documents' | 'storage',
  config: OpsConfig,
): Promise<ServiceVersionReport> {
  const url = new URL('/health/version', subgraphUrl(config, service));
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const body = (await response.json()) as Omit<ServiceVersion, 'startedAt'> & { startedAt: string };
    return { service, version: { ...body, startedAt: new Date(body.startedAt) }, error: null };
  } catch (error) {
    return { service, version: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Ops itself and every subgraph it can reach; an unreachable one is listed with the reason. */
export async function serviceVersions(config: OpsConfig): Promise<ServiceVersionReport[]> {
  const others = await Promise.all([fetchVersion('documents', config), fetchVersion('storage', config)]);
  return [{ service: 'ops', version: ownVersion('ops', config.GIT_COMMIT), error: null }, ...others];
}
