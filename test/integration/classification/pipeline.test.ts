import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DOCX_MIME_TYPE } from '@docuvault/documents/classification/text/extract';
import { buildDocx, utf16le } from '../../fixtures/docx.ts';
import { buildPdf, corruptPdf, textPdf } from '../../fixtures/pdf.ts';
import {
  createTopic,
  readDocument,
  startClassificationStack,
  topicNames,
  type ClassificationStack,
} from './support.ts';

// Upload → worker → CLASSIFIED, observed through GraphQL, for each supported format.

let stack: ClassificationStack;

beforeAll(async () => {
  stack = await startClassificationStack('classification-pipeline');
  await createTopic(stack, { name: 'Finance', matchMode: 'ANY', pattern: 'invoice payment' });
  await createTopic(stack, {
    name: 'Invoice numbers',
    matchMode: 'REGEX',
    pattern: 'INV-\\d{4}',
    caseSensitive: true,
  });
  await createTopic(stack, { name: 'Travel', matchMode: 'EXACT', pattern: 'boarding pass' });
  await createTopic(stack, { name: 'Medical', matchMode: 'FUZZY', pattern: 'prescription' });
  await createTopic(stack, { name: 'Legal', matchMode: 'ALL', pattern: 'contract clause' });
  await createTopic(stack, { name: 'Hand-picked', matchMode: 'NONE' });
  // No label check during this file: training is the auto-classifier test's subject.
  await stack.startWorker({ CLASSIFIER_LABEL_CHECK_SECONDS: '3600' });
});

afterAll(async () => {
  await stack?.close();
});

describe('the classification worker', () => {
  it('classifies a generated PDF by its text and stores the text', async () => {
    const id = await stack.putDocument({
      title: 'March statement',
      filename: 'statement.pdf',
      mimeType: 'application/pdf',
      body: textPdf('Please settle invoice INV-2041 by bank transfer. Payment is due within 30 days.'),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'])).toBe('CLASSIFIED');
    const view = await readDocument(stack, id);
    expect(topicNames(view)).toEqual(['Finance', 'Invoice numbers']);
    expect(view.topics.every((t) => t.source === 'RULE')).toBe(true);
    const explained = Object.fromEntries(view.classification.explanation.map((e) => [e.topic.name, e.terms]));
    expect(explained).toEqual({ Finance: ['invoice', 'payment'], 'Invoice numbers': ['INV-2041'] });
    expect(view.classification.note).toBeNull();
    const { rows } = await stack.admin.query('select extracted_text from documents where id = $1', [id]);
    expect(rows[0].extracted_text).toContain('Please settle invoice INV-2041 by bank transfer.');
    // The generated search vector follows the stored text.
    const search = await stack.graphql<{ search: { edges: { node: { id: string } }[] } }>(
      'query { search(query: "settle") { edges { node { id } } } }',
    );
    expect(search.data?.search.edges.map((e) => e.node.id)).toEqual([id]);
  });

  it('decodes a UTF-16 text file by its byte-order mark and matches an exact phrase', async () => {
    const id = await stack.putDocument({
      title: 'Trip',
      filename: 'trip.txt',
      mimeType: 'text/plain',
      body: utf16le(
        'Your boarding pass for Zürich → Kraków is attached.\r\nGate closes 20 minutes before departure.',
      ),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'])).toBe('CLASSIFIED');
    expect(topicNames(await readDocument(stack, id))).toEqual(['Travel']);
    const { rows } = await stack.admin.query('select extracted_text from documents where id = $1', [id]);
    expect(rows[0].extracted_text).toBe(
      'Your boarding pass for Zürich → Kraków is attached.\nGate closes 20 minutes before departure.',
    );
  });

  it('reads Latin-1 text that is not valid UTF-8', async () => {
    const id = await stack.putDocument({
      title: 'Notiz',
      filename: 'notiz.txt',
      mimeType: 'text/plain',
      body: Buffer.from('Zahlung für die Rechnung: payment über 200 €', 'latin1'),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'])).toBe('CLASSIFIED');
    const { rows } = await stack.admin.query('select extracted_text from documents where id = $1', [id]);
    expect(rows[0].extracted_text).toMatch(/^Zahlung für die Rechnung: payment über 200/);
    expect(topicNames(await readDocument(stack, id))).toEqual(['Finance']);
  });

  it('classifies a DOCX, tolerating a typo for a FUZZY topic', async () => {
    const id = await stack.putDocument({
      title: 'Visit summary',
      filename: 'visit.docx',
      mimeType: DOCX_MIME_TYPE,
      body: buildDocx(['Dr. Lee renewed the presciption for the patient.', 'Next visit in spring.']),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'])).toBe('CLASSIFIED');
    const view = await readDocument(stack, id);
    expect(topicNames(view)).toEqual(['Medical']);
    expect(view.classification.explanation).toEqual([{ topic: { name: 'Medical' }, terms: ['presciption'] }]);
    expect(view.topics[0]!.confidence).toBeGreaterThan(0.6);
    expect(view.topics[0]!.confidence).toBeLessThan(1);
  });

  it('fails a corrupt PDF after one attempt with a readable reason', async () => {
    const id = await stack.putDocument({
      title: 'Broken',
      filename: 'broken.pdf',
      mimeType: 'application/pdf',
      body: corruptPdf(),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'])).toBe('FAILED');
    const view = await readDocument(stack, id);
    expect(view.failureReason).toMatch(
      /^The file is damaged or not a valid PDF \(.+\), so its text cannot be read\.$/,
    );
    const job = await stack.deps.queue.getJob(id);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
  });

  it('fails a password-protected PDF at once, saying why', async () => {
    const id = await stack.putDocument({
      title: 'Locked',
      filename: 'locked.pdf',
      mimeType: 'application/pdf',
      body: buildPdf([{ lines: ['invoice'] }], { passwordProtected: true }),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'])).toBe('FAILED');
    expect((await readDocument(stack, id)).failureReason).toBe(
      'The PDF is password-protected, so its text cannot be read. Upload a copy without a password.',
    );
    expect((await stack.deps.queue.getJob(id))?.attemptsMade).toBe(1);
  });

  it('classifies a scan without OCR from its title alone and says so', async () => {
    const id = await stack.putDocument({
      title: 'Scanned invoice',
      filename: 'scan.pdf',
      mimeType: 'application/pdf',
      body: buildPdf([{ image: true }, { image: true }]),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'])).toBe('CLASSIFIED');
    const view = await readDocument(stack, id);
    expect(topicNames(view)).toEqual(['Finance']);
    expect(view.classification.note).toMatch(/classified from its title alone/);
  });

  it('gives the same end state when run again, and never touches a hand-set topic', async () => {
    const id = await stack.putDocument({
      title: 'Agreement',
      filename: 'agreement.pdf',
      mimeType: 'application/pdf',
      body: textPdf('This contract has a clause on payment terms.'),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'])).toBe('CLASSIFIED');
    const topics = await stack.graphql<{ topics: { id: string; name: string }[] }>('{ topics { id name } }');
    const byName = new Map(topics.data!.topics.map((t) => [t.name, t.id]));
    // A person says Finance and Hand-picked: Finance becomes MANUAL, the rule must not take it back.
    const update = await stack.graphql(
      'mutation ($id: ID!, $topicIds: [ID!]) { updateDocument(id: $id, input: { topicIds: $topicIds }) { id } }',
      { id, topicIds: [byName.get('Finance'), byName.get('Hand-picked')] },
    );
    expect(update.errors).toBeUndefined();
    const stamp = async () =>
      (await stack.admin.query('select updated_at from documents where id = $1', [id])).rows[0]
        .updated_at as Date;
    const editedAt = await stamp();
    const before = await stack.admin.query(
      'select topic_id, source, confidence, created_at from document_topics where document_id = $1 order by topic_id',
      [id],
    );
    const text = await stack.admin.query('select extracted_text from documents where id = $1', [id]);

    const again = await stack.graphql<{ reclassifyDocument: { id: string } }>(
      'mutation ($id: ID!) { reclassifyDocument(id: $id) { id } }',
      { id },
    );
    expect(again.errors).toBeUndefined();
    await waitForIdleQueue(stack);
    expect(await stack.waitForStatus(id, ['CLASSIFIED'])).toBe('CLASSIFIED');
    // It did run again: the worker touched the row after the edit.
    expect((await stamp()).getTime()).toBeGreaterThan(editedAt.getTime());

    const after = await stack.admin.query(
      'select topic_id, source, confidence, created_at from document_topics where document_id = $1 order by topic_id',
      [id],
    );
    expect(after.rows).toEqual(before.rows);
    expect(
      (await stack.admin.query('select extracted_text from documents where id = $1', [id])).rows,
    ).toEqual(text.rows);
    const view = await readDocument(stack, id);
    expect(view.topics.map((t) => [t.topic.name, t.source]).sort()).toEqual([
      ['Finance', 'MANUAL'],
      ['Hand-picked', 'MANUAL'],
      ['Legal', 'RULE'],
    ]);
  });
});

describe('the classification API', () => {
  it('queues every document a filter selects and answers how many', async () => {
    const response = await stack.graphql<{ reclassifyAll: number }>(
      'mutation { reclassifyAll(filter: { mimeType: ["text/plain"] }) }',
    );
    expect(response.data?.reclassifyAll).toBe(2);
    await waitForIdleQueue(stack);
    const { rows } = await stack.admin.query("select status from documents where mime_type = 'text/plain'");
    expect(rows).toEqual([{ status: 'CLASSIFIED' }, { status: 'CLASSIFIED' }]);
  });

  it('answers NOT_FOUND when reclassifying a document that does not exist', async () => {
    const response = await stack.graphql(
      'mutation { reclassifyDocument(id: "00000000-0000-4000-8000-000000000000") { id } }',
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('reports that no auto-classifier has been trained yet', async () => {
    const response = await stack.graphql('{ classifierStatus { trainedAt documentsUsed topics } }');
    expect(response.data).toEqual({ classifierStatus: { trainedAt: null, documentsUsed: 0, topics: 0 } });
  });
});

async function waitForIdleQueue(s: ClassificationStack): Promise<void> {
  for (let i = 0; i < 200; i++) {
    // Not 'delayed': the label check's scheduler always keeps its next run there.
    const counts = await s.deps.queue.getJobCounts('waiting', 'active', 'prioritized');
    if (Object.values(counts).every((count) => count === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('queue did not drain');
}
