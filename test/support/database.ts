// Moved to devkit/scratch/database.ts (shared with bench/, which must not import test/). Tests keep
// importing this path.
export * from '../../devkit/scratch/database.ts';
