import { vaultOf } from '../documents/vault.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { createTopic, deleteTopic, topics, updateTopic } from './topics.service.ts';

export const topicResolvers: Resolvers = {
  Query: {
    topics: (_, _args, context) => topics(vaultOf(context)),
  },
  Mutation: {
    createTopic: (_, args, context) => createTopic(vaultOf(context), args.input),
    updateTopic: (_, args, context) => updateTopic(vaultOf(context), args.id, args.input),
    deleteTopic: (_, args, context) => deleteTopic(vaultOf(context), args.id),
  },
};
