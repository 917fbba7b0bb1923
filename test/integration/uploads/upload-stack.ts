// Moved: the stack to test/support/stacks/ (import from its index.ts), the request helpers
// to test/support/upload-requests.ts and eventually() to test/support/eventually.ts. Kept
// as a re-export while branches that import this path merge.
export {
  listenDocumentsSubgraph as startSubgraph,
  startUploadStack,
  type UploadStack,
} from '../../support/stacks/index.ts';
export { eventually } from '../../support/eventually.ts';
export {
  tempUploadFiles,
  unreachableQueue,
  UPLOAD_MUTATION,
  uploadOperation,
} from '../../support/upload-requests.ts';
