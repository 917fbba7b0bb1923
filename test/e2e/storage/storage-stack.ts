// Moved to test/support/stacks/ (import from its index.ts). Kept as a re-export while
// branches that import this path merge.
export {
  startGatewayStorageStack,
  type GatewayStorageStack,
  type StorageRequest,
} from '../../support/stacks/index.ts';
