export * from './checks.ts';
export { healthRouter, toHealthJson } from './http.ts';
