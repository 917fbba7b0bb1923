export interface ServiceVersion {
  service: string;
  commit: string;
  startedAt: Date;
  node: string;
}

/** This process's version: `performance.timeOrigin` is when the process started. */
export function ownVersion(service: string, commit: string): ServiceVersion {
  return { service, commit, startedAt: new Date(performance.timeOrigin), node: process.version };
}
