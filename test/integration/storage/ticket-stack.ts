// The ticket stack's builder lives with the other stacks (test/support/stacks); this file
// keeps the storage suites' operations and its old import path.
export { startTicketStack, type TicketStack } from '../../support/stacks/index.ts';

export const REQUEST_UPLOAD = `
  mutation Request($input: RequestUploadInput!) {
    requestUpload(input: $input) { id url fields { name value } expiresAt maxSizeBytes }
  }`;

export const COMPLETE_UPLOAD = `
  mutation Complete($ticketId: ID!) {
    completeUpload(ticketId: $ticketId) { duplicate document { id } }
  }`;

export interface Ticket {
  id: string;
  url: string;
  fields: { name: string; value: string }[];
  expiresAt: string;
  maxSizeBytes: number;
}

export interface Completed {
  duplicate: boolean;
  document: { id: string };
}
