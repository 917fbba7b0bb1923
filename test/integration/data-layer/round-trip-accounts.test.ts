import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  findDeletionTarget,
  queueObjectRemovals,
} from '@docuvault/documents/accounts/account-deletion.repository';
import {
  findRemovals,
  recordFailedAttempt,
} from '@docuvault/documents/object-removals/object-removals.repository';
import {
  findRefreshToken,
  insertRefreshToken,
  lockRefreshToken,
} from '@docuvault/documents/accounts/sessions.repository';
import {
  findCredentials,
  findUser,
  insertUser,
  listUsers,
  updatePasswordHash,
} from '@docuvault/documents/accounts/users.repository';
import { listAudit, recordAudit } from '@docuvault/documents/audit/audit.repository';
import {
  findDocumentToClassify,
  markFailedIfPending,
  saveClassification,
  setStatus,
} from '@docuvault/documents/classification/classification.repository';
import { findClassificationDetails } from '@docuvault/documents/classification/details.repository';
import {
  findLabelledDocuments,
  insertModel,
  loadModelJson,
} from '@docuvault/documents/classification/training.repository';
import { insertAuditLine } from '@docuvault/shared/audit/audit-log';
import { db } from '@docuvault/shared/db/kysely';
import { createOrm } from '@docuvault/shared/db/orm';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { AWKWARD_VALUES } from '../../support/awkward-values.ts';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';

// Every awkward value (placeholders of MikroORM and PostgreSQL, quotes, backslashes,
// non-ASCII) goes in through each ported repository of accounts, audit and classification
// and must come back byte for byte: proof that values travel as bind parameters and are
// never spliced into SQL. Runs as the runtime role, like the services.

let database: TestDatabase;
let orm: MikroORM;

beforeAll(async () => {
  database = await migratedTestDatabase('round-trip-accounts');
  orm = await createOrm({ url: database.appUrl, poolMax: 2 });
}, 120_000);

afterAll(async () => {
  await orm?.close();
  await database?.drop();
});

const cases = AWKWARD_VALUES.map((value, index) => [JSON.stringify(value), value, index] as const);
const em = (): EntityManager => orm.em.fork();
/** The users check wants emails trimmed and lower case; every value stays recognisable inside. */
const emailOf = (value: string, index: number) => `${value.toLowerCase()}#${index}@example.test`;

async function userFor(value: string, index: number): Promise<string> {
  const email = emailOf(value, index);
  const found = await findCredentials(em(), email);
  if (found) return found.id;
  const created = await em().transactional((tx) =>
    insertUser(tx, { email, passwordHash: value, limitBytes: 1_000_000 }),
  );
  if (!created) throw new Error(`could not create the user of ${JSON.stringify(value)}`);
  return created.id;
}

/** A document row of `owner`, arranged directly: the documents repositories are not under test here. */
async function documentFor(owner: string, value: string, objectKey: string): Promise<string> {
  // The sql tag: the entity types search_vector (a generated column) as required on insert.
  const sha256 = createHash('sha256').update(objectKey).digest('hex');
  const { rows } = await sql<{ id: string }>`
    insert into documents (user_id, title, original_filename, mime_type, size_bytes, sha256, object_key)
    values (${owner}::uuid, ${value}, ${value}, 'text/plain', 1, ${sha256}, ${objectKey})
    returning id`.execute(db(em()));
  return rows[0]!.id;
}

describe('accounts repositories round-trip awkward values', () => {
  it.each(cases)('users: email and password hash %s', async (_name, value, index) => {
    const id = await userFor(value, index);
    const email = emailOf(value, index);
    expect((await findUser(em(), id))?.email).toBe(email);
    expect(await findCredentials(em(), email)).toMatchObject({ id, passwordHash: value });
    expect(await findDeletionTarget(em(), id, { lock: false })).toMatchObject({ email, passwordHash: value });
    await updatePasswordHash(em(), id, `${value}${value}`);
    expect((await findCredentials(em(), email))?.passwordHash).toBe(`${value}${value}`);
    await updatePasswordHash(em(), id, value);
    const listed = await listUsers(em(), undefined, 1_000);
    expect(listed.find((user) => user.id === id)?.email).toBe(email);
  });

  it.each(cases)('sessions: refresh token hash %s', async (_name, value, index) => {
    const userId = await userFor(value, index);
    const stored = await insertRefreshToken(em(), { userId, tokenHash: value, familyId: null, ttlDays: 1 });
    expect(await findRefreshToken(em(), value)).toEqual({ userId, familyId: stored.familyId });
    const locked = await em().transactional((tx) => lockRefreshToken(tx, value));
    expect(locked).toMatchObject({ id: stored.id, userId, revoked: false, expired: false });
  });

  it.each(cases)('object removals: key, reason and last error %s', async (_name, value, index) => {
    const userId = await userFor(value, index);
    // A key outside the user's prefix is queued by its own name.
    const key = `elsewhere/${index}/${value}`;
    await documentFor(userId, value, key);
    const ids = await em().transactional((tx) => queueObjectRemovals(tx, userId, value));
    const removals = await findRemovals(em(), ids, 10);
    expect(removals.map((removal) => [removal.key, removal.prefix]).sort()).toEqual(
      [
        [`${userId}/`, true],
        [key, false],
      ].sort(),
    );
    const outside = removals.find((removal) => !removal.prefix);
    await recordFailedAttempt(em(), outside!.id, value);
    const row = await db(em())
      .selectFrom('object_removals')
      .select(['reason', 'last_error', 'attempts'])
      .where('id', '=', outside!.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ reason: value, last_error: value, attempts: 1 });
  });
});

describe('the audit log round-trips awkward values', () => {
  it.each(cases)('target, request id and details %s', async (_name, value, index) => {
    const actorId = await userFor(value, index);
    const details = { note: value, [value]: [value], nested: { value } };
    await recordAudit(
      em(),
      { requestId: value, clientIp: '203.0.113.7' },
      { actorId, action: 'SIGN_IN', target: value, details },
    );
    // The ops subgraph writes its lines with the same function.
    await insertAuditLine(db(em()), { actorId, action: 'OPS_MUTATION', target: `ops:${value}`, details });
    const lines = (await listAudit(em(), undefined, 1_000)).filter((line) => line.actorId === actorId);
    const signIn = lines.find((line) => line.action === 'SIGN_IN');
    expect(signIn).toMatchObject({ target: value, requestId: value, ip: '203.0.113.7' });
    expect(JSON.parse(signIn!.details)).toEqual(details);
    const ops = lines.find((line) => line.action === 'OPS_MUTATION');
    expect(ops?.target).toBe(`ops:${value}`);
    expect(JSON.parse(ops!.details)).toEqual(details);
  });
});

describe('classification repositories round-trip awkward values', () => {
  it.each(cases)('title, text, topic, terms and failure reason %s', async (_name, value, index) => {
    const owner = await userFor(value, index);
    const documentId = await documentFor(owner, value, `${owner}/classified/${index}`);
    const topics = await db(em())
      .insertInto('topics')
      .values([
        { user_id: owner, name: value, match_mode: 'ANY', pattern: value },
        { user_id: owner, name: `${value} (by hand)`, match_mode: 'AUTO' },
      ])
      .returning('id')
      .execute();
    const [ruleTopic, manualTopic] = topics.map((topic) => topic.id);

    expect(await findDocumentToClassify(em(), documentId)).toMatchObject({ title: value, owner });
    await setStatus(em(), documentId, 'PROCESSING', value);
    const source = { kind: 'MIXED' as const, textLayerPages: 1, ocrPages: 2, skippedPages: 3, note: value };
    const saved = await saveClassification(em(), documentId, { text: value, source }, [
      {
        topicId: ruleTopic!,
        source: 'RULE',
        confidence: 0.75,
        terms: [value, `${value}!`],
        modelTrainedAt: null,
      },
    ]);
    expect(saved).toBe(true);
    expect(
      await db(em())
        .selectFrom('documents')
        .select([
          'extracted_text',
          'text_source',
          'text_layer_pages',
          'ocr_pages',
          'skipped_pages',
          'text_note',
        ])
        .where('id', '=', documentId)
        .executeTakeFirst(),
    ).toEqual({
      extracted_text: value,
      text_source: 'MIXED',
      text_layer_pages: 1,
      ocr_pages: 2,
      skipped_pages: 3,
      text_note: value,
    });
    const details = (await findClassificationDetails(em(), [documentId])).get(documentId);
    expect(details?.explanation).toEqual([
      {
        topic: expect.objectContaining({ id: ruleTopic, name: value, pattern: value }),
        terms: [value, `${value}!`],
      },
    ]);

    await db(em())
      .insertInto('document_topics')
      .values({ document_id: documentId, topic_id: manualTopic!, confidence: 1, source: 'MANUAL' })
      .execute();
    const labelled = await findLabelledDocuments(em(), owner, 10);
    expect(labelled).toEqual([{ id: documentId, title: value, text: value, topicIds: [manualTopic] }]);

    const failed = await documentFor(owner, value, `${owner}/failed/${index}`);
    await markFailedIfPending(em(), failed, value);
    const reason = await db(em())
      .selectFrom('documents')
      .select(['failure_reason', 'status'])
      .where('id', '=', failed)
      .executeTakeFirstOrThrow();
    expect(reason).toEqual({ failure_reason: value, status: 'FAILED' });
  });

  it.each(cases)('a model and its fingerprint %s', async (_name, value, index) => {
    const owner = await userFor(value, index);
    const model = { vocabulary: [value], weights: { [value]: 0.5 } };
    const header = await insertModel(em(), owner, JSON.stringify(model), {
      documentsUsed: 1,
      topics: 1,
      sizeBytes: 10,
      trainingMs: 1,
      labelsFingerprint: value,
    });
    expect(await loadModelJson(em(), header.id)).toEqual(model);
    const row = await db(em())
      .selectFrom('classifier_models')
      .select('labels_fingerprint')
      .where('id', '=', header.id)
      .executeTakeFirstOrThrow();
    expect(row.labels_fingerprint).toBe(value);
  });
});
