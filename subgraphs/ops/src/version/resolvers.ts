import type { OpsContext } from '../context.ts';
import { ownVersion } from './service-version.ts';

export const versionResolvers = {
  Query: {
    version: (_: unknown, __: unknown, context: OpsContext) => ownVersion('ops', context.config.GIT_COMMIT),
  },
};
