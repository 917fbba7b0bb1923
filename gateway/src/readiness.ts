import { isAdmin } from '@docuvault/shared/auth/principal';
import {
  opsTokenHeader,
  opsTokenMatches,
  serviceReadyCheck,
  type HealthCheck,
} from '@docuvault/shared/health/index';
import type { Request } from 'express';
import type { Authenticator } from './auth/authenticate.ts';

// The gateway's main job is the documents API: it is ready when its supergraph is loaded
// and the documents subgraph is ready. Storage (downloads, direct uploads) or ops being
// down degrades it (`warn`, still 200): clients keep listing, searching and uploading.

export function gatewayReadyChecks(
  urls: Readonly<Record<'documents' | 'storage' | 'ops', string>>,
  supergraphLoaded: () => boolean,
): HealthCheck[] {
  return [
    {
      component: 'supergraph',
      async run() {
        if (!supergraphLoaded()) throw new Error('supergraph not loaded yet');
      },
    },
    serviceReadyCheck('subgraph:documents', urls.documents, { whenFailing: 'fail' }),
    serviceReadyCheck('subgraph:storage', urls.storage, { whenFailing: 'warn' }),
    serviceReadyCheck('subgraph:ops', urls.ops, { whenFailing: 'warn' }),
  ];
}

/**
 * Who may read the checks' errors (subgraph URLs, hosts) on /health/ready: a valid
 * X-Ops-Token, or an administrator's access token. Anyone else sees status and
 * component names; a bad access token is no error here, only no details.
 */
export function operatorOnHealth(
  opsToken: string | undefined,
  authenticator: Authenticator,
): (req: Request) => Promise<boolean> {
  return async (req) => {
    if (opsTokenMatches(opsToken, opsTokenHeader(req.headers))) return true;
    if (!req.headers.authorization) return false;
    const result = await authenticator.authenticate(req.headers.authorization).catch(() => undefined);
    return result !== undefined && 'principal' in result && isAdmin(result.principal);
  };
}
