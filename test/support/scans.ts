// Scans made in code live in devkit/fixtures/scans.ts (shared with bench/, which must not import test/).
export * from '../../devkit/fixtures/scans.ts';
