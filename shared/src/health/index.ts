export * from './checks.ts';
export { healthRouter, toHealthJson } from './http.ts';
export { ownVersion, type ServiceVersion } from './version.ts';
