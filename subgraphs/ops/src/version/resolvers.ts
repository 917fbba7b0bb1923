import { ownVersion } from '@docuvault/shared/health/index';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { serviceVersions } from './service-versions.ts';

export const versionResolvers: Resolvers = {
  Query: {
    version: (_, __, context) => ownVersion('ops', context.config.GIT_COMMIT),
    versions: (_, __, context) => serviceVersions(context.config),
  },
};
