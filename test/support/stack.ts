// Moved to test/support/stacks/ (import from its index.ts). Kept as a re-export while
// branches that import this path merge; new code imports the stacks' entry point.
export { startGatewayAt, startStack, type Stack, type StackOptions } from './stacks/index.ts';
