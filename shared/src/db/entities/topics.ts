import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPk } from './columns.ts';
import { Document } from './documents.ts';
import { User } from './users.ts';

export const MATCH_MODES = ['NONE', 'ANY', 'ALL', 'EXACT', 'REGEX', 'FUZZY', 'AUTO'] as const;
export type MatchMode = (typeof MATCH_MODES)[number];
export const TOPIC_SOURCES = ['RULE', 'AUTO', 'MANUAL'] as const;
export type TopicSource = (typeof TOPIC_SOURCES)[number];

export const TopicSchema = defineEntity({
  name: 'Topic',
  tableName: 'topics',
  properties: {
    id: uuidPk(),
    // Null: a topic of the anonymous vault.
    user: () => p.manyToOne(User).nullable().deleteRule('cascade'),
    name: p.text(),
    matchMode: p.enum(MATCH_MODES).default('AUTO'),
    pattern: p.text().nullable(),
    caseSensitive: p.boolean().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  checks: [{ name: 'topics_name_not_blank_check', expression: "btrim(name) <> ''" }],
  uniques: [
    {
      name: 'topics_user_id_name_unique',
      expression:
        'create unique index "topics_user_id_name_unique" on "topics" ("user_id", "name") nulls not distinct',
    },
  ],
});
export class Topic extends TopicSchema.class {}
TopicSchema.setClass(Topic);

export const DocumentTopicSchema = defineEntity({
  name: 'DocumentTopic',
  tableName: 'document_topics',
  properties: {
    document: () => p.manyToOne(Document).primary().deleteRule('cascade').updateRule('no action'),
    // The primary key leads with document_id; this index serves "documents of a topic".
    topic: () => p.manyToOne(Topic).primary().deleteRule('cascade').updateRule('no action').index(),
    confidence: p.double(),
    source: p.enum(TOPIC_SOURCES),
    // RULE/AUTO: the terms that weighed most, stored so reading never re-runs the classifier.
    explanation: p.json<{ terms: string[] }>().nullable(),
    // AUTO: when the model that chose the topic was trained.
    modelTrainedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
  checks: [
    {
      name: 'document_topics_confidence_check',
      // Quoted literals: PostgreSQL then renders `'0'::double precision` rather than
      // `(0)::double precision`, which MikroORM's introspection mangles into a false diff.
      expression: "confidence >= '0' and confidence <= '1'",
    },
  ],
});
export class DocumentTopic extends DocumentTopicSchema.class {}
DocumentTopicSchema.setClass(DocumentTopic);
