// Moved to devkit/worker-process.ts (shared with bench/, which must not import test/).
// Kept as a re-export while branches that import this path merge.
export * from '../../../devkit/worker-process.ts';
