export interface MigrationLogger {
  info(message: string): void;
}

export const silent: MigrationLogger = { info: () => {} };
