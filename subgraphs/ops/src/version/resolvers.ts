import { ownVersion } from '@docuvault/shared/health/index';
import type { OpsContext } from '../context.ts';
import { serviceVersions } from './service-versions.ts';

export const versionResolvers = {
  Query: {
    version: (_: unknown, __: unknown, context: OpsContext) => ownVersion('ops', context.config.GIT_COMMIT),
    versions: (_: unknown, __: unknown, context: OpsContext) => serviceVersions(context.config),
  },
};
