// Moved to devkit/signed-requests.ts (shared with bench/, which must not import test/). Tests keep
// importing this path.
export * from '../../devkit/signed-requests.ts';
