// Moved to devkit/scratch/s3.ts (shared with bench/, which must not import test/). Tests keep
// importing this path.
export * from '../../devkit/scratch/s3.ts';
