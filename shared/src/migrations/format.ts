import type { MigrationStatus } from './status.ts';

/** The `status` table: one line per migration, states spelled as in the docs (applied-but-changed). */
export function formatStatus(status: MigrationStatus): string {
  const rows = status.migrations.map((entry) => [
    entry.name,
    entry.state.toLowerCase().replaceAll('_', '-'),
    entry.appliedAt?.toISOString() ?? '',
    entry.transactional === false ? 'no transaction' : '',
  ]);
  const table = [['MIGRATION', 'STATE', 'APPLIED AT', 'NOTE'], ...rows];
  const widths = [0, 1, 2].map((column) => Math.max(...table.map((row) => row[column]!.length)));
  const hasNotes = rows.some((row) => row[3] !== '');
  const lines = table.map((row) =>
    (hasNotes ? row : row.slice(0, 3))
      .map((cell, column) => (column < (hasNotes ? 3 : 2) ? cell.padEnd(widths[column]!) : cell))
      .join('  ')
      .trimEnd(),
  );
  const summary = status.upToDate ? 'up to date' : 'NOT up to date';
  return `${lines.join('\n')}\n\nPostgreSQL ${status.serverVersion}; schema ${summary}\n`;
}
