import { loadavg } from 'node:os';
import type pg from 'pg';
import { requestRetrain } from '../subgraphs/documents/src/classification/enqueue.ts';
import { CORPUS_TOPICS, generateCorpus, type CorpusDocument } from '../devkit/fixtures/corpus.ts';
import { textPdf } from '../devkit/fixtures/pdf.ts';
import type { TestBucket } from '../devkit/scratch/s3.ts';
import { waitUntilReady } from '../devkit/worker-process.ts';
import { measureClassifierModel } from './classifier-model.ts';
import type { ScenarioResult } from './support/report.ts';
import { startWorkerSystem } from './support/worker-system.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// Classified one-page PDFs per second for ONE worker process (`node
// subgraphs/documents/src/worker.ts`, WORKER_CONCURRENCY as configured, default 2), with
// rule topics of every mode and a trained auto-classifier, against real PostgreSQL, Redis
// and S3. The worker makes thumbnails as it does by default (THUMBNAIL_CONCURRENCY=1, jobs of
// their own queue): the row counts documents CLASSIFIED, a second row thumbnails made (the tests' embedded ones, or TEST_* URLs from the environment). It needs no
// gateway: it has a database, bucket and queue of its own, apart from the system's.
//
//   node bench/classification.ts            (npx node … outside npm scripts)
//   BENCH_DOCUMENTS=1000 WORKER_CONCURRENCY=4 node bench/classification.ts

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 400);
const WARMUP = 20;
const CONCURRENCY = process.env.WORKER_CONCURRENCY ?? '2';
/** The worker's thumbnail slots, as configured by default; 0 measures classification with none made. */
const THUMBNAILS = process.env.THUMBNAIL_CONCURRENCY ?? '1';

type Admin = pg.Pool;

async function createTopics(admin: Admin): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const rules = [
    ['Invoices', 'ANY', 'invoice receipt'],
    ['Boarding', 'EXACT', 'boarding pass'],
    ['Prescriptions', 'FUZZY', 'prescription medication'],
    ['References', 'REGEX', '\\bREF-\\d{4}\\b'],
  ];
  for (const [name, mode, pattern] of rules) {
    await admin.query('insert into topics (name, match_mode, pattern) values ($1, $2, $3)', [
      name,
      mode,
      pattern,
    ]);
  }
  for (const name of Object.keys(CORPUS_TOPICS)) {
    const { rows } = await admin.query<{ id: string }>('insert into topics (name) values ($1) returning id', [
      name,
    ]);
    ids.set(name, rows[0]!.id);
  }
  return ids;
}

/** Labelled documents for the auto-classifier, as people would have tagged them. */
async function seedLabels(
  admin: Admin,
  topicIds: Map<string, string>,
  documents: CorpusDocument[],
): Promise<void> {
  await admin.query(
    `with docs as (
       insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, status, extracted_text)
       select 'train ' || t.title, t.title, 'text/plain', 1, md5('train' || t.title) || md5(t.title), 'train/' || t.title,
              'CLASSIFIED', t.text
       from unnest($1::text[], $2::text[]) as t(title, text) returning id, title)
     insert into document_topics (document_id, topic_id, confidence, source)
     select docs.id, l.topic_id, 1, 'MANUAL' from docs join unnest($1::text[], $3::uuid[]) as l(title, topic_id)
       on docs.title = 'train ' || l.title`,
    [
      documents.map((d) => d.title),
      documents.map((d) => d.text),
      documents.map((d) => topicIds.get(d.topic)),
    ],
  );
}

/** About one page: a few documents' worth of words of one topic, and a reference now and then. */
function pageText(documents: CorpusDocument[], i: number): string {
  const own = documents.filter((d) => d.topic === documents[i % documents.length]!.topic);
  const words = `Page ${i}. ${[0, 1, 2, 3, 4, 5].map((k) => own[(i + k * 7) % own.length]!.text).join(' ')}`;
  return i % 5 === 0 ? `${words} Quote REF-${String(1000 + i)} on payment.` : words;
}

async function putPdfs(
  admin: Admin,
  bucket: TestBucket,
  count: number,
  offset: number,
  corpus: CorpusDocument[],
) {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 16) {
    const batch = Array.from({ length: Math.min(16, count - start) }, (_, k) => offset + start + k);
    ids.push(
      ...(await Promise.all(
        batch.map(async (i) => {
          const body = textPdf(pageText(corpus, i));
          const key = `_anonymous/bench/${i}.pdf`;
          await bucket.client.putObject(bucket.bucket, key, body, body.length);
          const { rows } = await admin.query<{ id: string }>(
            `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key)
             values ($1, $2, 'application/pdf', $3, encode(sha256($4::bytea), 'hex'), $5) returning id`,
            [`Page ${i}`, `${i}.pdf`, body.length, body, key],
          );
          return rows[0]!.id;
        }),
      )),
    );
  }
  return ids;
}

async function measure(context: Context): Promise<ScenarioResult> {
  // The model alone first, in this process: nothing else of the run competes for the core yet.
  context.say('training the auto-classifier on 10 000 documents…');
  const model = await measureClassifierModel();
  const system = await startWorkerSystem('bench-classification', {
    WORKER_CONCURRENCY: CONCURRENCY,
    THUMBNAIL_CONCURRENCY: THUMBNAILS,
    OCR: 'off',
  });
  const { admin, bucket, queue, worker, enqueue } = system;
  try {
    const corpus = generateCorpus(60);
    const topicIds = await createTopics(admin);
    await seedLabels(admin, topicIds, corpus.slice(0, 200));
    await waitUntilReady(worker);
    await requestRetrain(queue, null, { debounceMs: 0 });
    for (let i = 0; (await admin.query('select 1 from classifier_models')).rowCount === 0; i++) {
      if (i > 600) throw new Error('the classifier was not trained');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const warmup = await putPdfs(admin, bucket, WARMUP, 0, corpus);
    await enqueue(warmup);
    await system.waitClassified(warmup, 60_000);
    if (THUMBNAILS !== '0') await system.waitThumbnails(warmup, 60_000);

    const ids = await putPdfs(admin, bucket, DOCUMENTS, WARMUP, corpus);
    context.say(`classifying ${DOCUMENTS} one-page PDFs with one worker…`);
    const started = performance.now();
    await enqueue(ids);
    await system.waitClassified(ids, 600_000);
    const seconds = (performance.now() - started) / 1000;
    let thumbnailSeconds: number | undefined;
    if (THUMBNAILS !== '0') {
      await system.waitThumbnails(ids, 600_000);
      thumbnailSeconds = (performance.now() - started) / 1000;
    }
    const { rows } = await admin.query<{ topics: number }>(
      'select count(*)::int as topics from document_topics where document_id = any($1::uuid[])',
      [ids],
    );
    const perSecond = DOCUMENTS / seconds;
    return {
      rows: [
        ...model.rows,
        {
          scenario: `classification: one worker, WORKER_CONCURRENCY=${CONCURRENCY}`,
          measured: `${perSecond.toFixed(1)} one-page PDFs/s`,
          reference: '—',
          ratio: '—',
          target: '≥ 20/s',
          met: perSecond >= 20,
        },
        ...(thumbnailSeconds === undefined
          ? []
          : [
              {
                scenario: `thumbnails of those PDFs, same worker, THUMBNAIL_CONCURRENCY=${THUMBNAILS}`,
                measured: `${(DOCUMENTS / thumbnailSeconds).toFixed(1)} thumbnails/s`,
                reference: `classification above: ${perSecond.toFixed(1)}/s`,
                ratio: `last thumbnail ${(thumbnailSeconds - seconds).toFixed(1)} s after the last classification`,
                target: '—',
              },
            ]),
      ],
      notes: [
        ...model.notes,
        `classification: ${DOCUMENTS} one-page PDFs (after ${WARMUP} to warm up) in ${seconds.toFixed(1)} s, ` +
          `rule topics of every mode and a trained auto-classifier, ` +
          `${(rows[0]!.topics / DOCUMENTS).toFixed(2)} topics per document; OCR off; ` +
          (thumbnailSeconds === undefined
            ? 'no thumbnails made (THUMBNAIL_CONCURRENCY=0).'
            : `thumbnails made meanwhile by the same worker (thumbnails queue, THUMBNAIL_CONCURRENCY=${THUMBNAILS}), ` +
              `all ${DOCUMENTS} within ${thumbnailSeconds.toFixed(1)} s of the start. Load average at the end: ` +
              `${loadavg()
                .map((l) => l.toFixed(1))
                .join(', ')}.`),
      ],
    };
  } finally {
    await system.close();
  }
}

export const classification: Scenario = { name: 'classification', run: measure };

await runIfMain(classification, import.meta.url);
