import type { DocumentsContext } from '../context.ts';
import { vaultOf } from '../documents/vault.ts';
import {
  createTopic,
  deleteTopic,
  topics,
  updateTopic,
  type CreateTopicInput,
  type UpdateTopicInput,
} from './topics.service.ts';

export const topicResolvers = {
  Query: {
    topics: (_: unknown, _args: unknown, context: DocumentsContext) => topics(vaultOf(context)),
  },
  Mutation: {
    createTopic: (_: unknown, args: { input: CreateTopicInput }, context: DocumentsContext) =>
      createTopic(vaultOf(context), args.input),
    updateTopic: (_: unknown, args: { id: string; input: UpdateTopicInput }, context: DocumentsContext) =>
      updateTopic(vaultOf(context), args.id, args.input),
    deleteTopic: (_: unknown, args: { id: string }, context: DocumentsContext) =>
      deleteTopic(vaultOf(context), args.id),
  },
};
