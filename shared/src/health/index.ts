export * from './checks.ts';
export { healthRouter, toHealthJson, type HealthRouterOptions } from './http.ts';
export { opsTokenHeader, opsTokenMatches } from './operator-access.ts';
export {
  createReadiness,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_REPORT_TTL_MS,
  type ReadinessOptions,
} from './readiness.ts';
export { ownVersion, type ServiceVersion } from './version.ts';
export { objectStoreCheck, postgresCheck, redisCheck, serviceReadyCheck } from './dependency-checks.ts';
