import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { createOrm } from '@docuvault/shared/db/orm';
import { searchDocuments } from '@docuvault/documents/documents/documents.service';
import type { DocumentFilterInput } from '@docuvault/documents/documents/search-filters';
import { migratedTestDatabase } from '../devkit/scratch/database.ts';
import { generateCorpus } from '../devkit/fixtures/corpus.ts';
import { withServices } from './support/services.ts';

// The query plans of filtered broad searches (#19.7), as the real code sends them: each
// search runs once through the documents service while the statements it sends are
// recorded, then each recorded statement runs again under EXPLAIN (ANALYZE, BUFFERS). A
// plan, not a timing: it shows which indexes the filter's terms use on a vault of realistic
// size. Printed as Markdown; docs/adr/0017-search-filters-and-highlights.md quotes a run.
//
//   node bench/search-filter-plans.ts            (PLAN_DOCUMENTS=100000 by default)

const DOCUMENTS = Number(process.env.PLAN_DOCUMENTS ?? 100_000);
const OTHER_USERS_DOCUMENTS = Math.round(DOCUMENTS / 2);
const BATCH = 10_000;

/**
 * One vault of DOCUMENTS rows beside another user's rows: MIME types, text sources,
 * folders (10 top-level, 5 below each), topics (8; every document in one or two) and upload
 * dates (one every 10 minutes, about two years) spread as in a working vault. Text from the
 * classifier corpus (about 70 words a row), so "invoice" is a broad term (about a fifth).
 */
async function seed(admin: pg.Pool, user: string, other: string) {
  await admin.query(
    `insert into users (id, email, password_hash, role) values ($1::uuid, $1::text || '@plan.test', 'x', 'USER'),
                      ($2::uuid, $2::text || '@plan.test', 'x', 'USER')`,
    [user, other],
  );
  const { rows: roots } = await admin.query<{ id: string }>(
    `insert into folders (user_id, name) select $1, 'Folder ' || i from generate_series(1, 10) i returning id`,
    [user],
  );
  const { rows: children } = await admin.query<{ id: string }>(
    `insert into folders (user_id, parent_id, name)
     select $1, p.id, 'Sub ' || i from unnest($2::uuid[]) p(id), generate_series(1, 5) i returning id`,
    [user, roots.map((row) => row.id)],
  );
  const folders = [...roots, ...children].map((row) => row.id);
  const { rows: topics } = await admin.query<{ id: string }>(
    `insert into topics (user_id, name) select $1, 'Topic ' || i from generate_series(1, 8) i returning id`,
    [user],
  );
  const corpus = generateCorpus(Math.ceil((DOCUMENTS + OTHER_USERS_DOCUMENTS) / 5) + 2);
  const run = randomBytes(6).toString('hex');
  for (let start = 0; start < DOCUMENTS + OTHER_USERS_DOCUMENTS; start += BATCH) {
    const rows = Array.from(
      { length: Math.min(BATCH, DOCUMENTS + OTHER_USERS_DOCUMENTS - start) },
      (_, k) => start + k,
    );
    await admin.query(
      `insert into documents (user_id, folder_id, title, original_filename, mime_type, size_bytes, sha256,
                              object_key, status, extracted_text, text_source, created_at, updated_at)
       select case when t.i < $4 then $2::uuid else $3::uuid end,
              case when t.i < $4 and t.i % 7 <> 0 then ($5::uuid[])[1 + t.i % array_length($5::uuid[], 1)] end,
              'Document ' || t.i, 'document-' || t.i, m.mime, 20000 + (t.i * 37) % 500000,
              encode(sha256(convert_to($1 || ':' || t.i, 'UTF8')), 'hex'), 'plan-' || $1 || '/' || t.i,
              'CLASSIFIED', t.text,
              case when m.mime like 'image/%' then (case when t.i % 5 = 0 then 'NONE' else 'OCR' end)
                   when m.mime = 'application/pdf' then (array['TEXT','TEXT','TEXT','TEXT','TEXT','TEXT','TEXT','OCR','OCR','MIXED'])[1 + t.i % 10]
                   else 'TEXT' end,
              now() - make_interval(mins => t.i * 10), now() - make_interval(mins => t.i * 10)
       from unnest($6::int[], $7::text[]) as t(i, text),
            lateral (select (array['application/pdf','application/pdf','application/pdf','application/pdf',
                                   'application/pdf','application/pdf','application/pdf','application/pdf',
                                   'application/pdf','application/pdf','application/pdf','application/pdf',
                                   'image/jpeg','image/jpeg','image/jpeg','image/png',
                                   'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                                   'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                                   'text/plain','text/markdown'])[1 + (t.i * 13) % 20] as mime) m`,
      [
        run,
        user,
        other,
        DOCUMENTS,
        folders,
        rows,
        rows.map((i) => `${corpus[i]!.text} ${corpus[i + 5]!.text}`),
      ],
    );
  }
  await admin.query(
    `insert into document_topics (document_id, topic_id, confidence, source)
     select d.id, ($2::uuid[])[1 + n % 8], 0.8, 'AUTO'
     from (select id, row_number() over (order by created_at) as n from documents where user_id = $1) d
     union all
     select d.id, ($2::uuid[])[1 + (n * 3 + 1) % 8], 0.6, 'AUTO'
     from (select id, row_number() over (order by created_at) as n from documents where user_id = $1) d
     where n % 3 = 0`,
    [user, topics.map((row) => row.id)],
  );
  await admin.query('vacuum (analyze) documents, document_topics, folders, topics');
  return { folders: roots.map((row) => row.id), topics: topics.map((row) => row.id) };
}

interface Statement {
  text: string;
  values: unknown[];
}

/** Every statement the ORM's pool sends from now on (Kysely queries bypass MikroORM's hooks). */
function record(pool: pg.Pool, into: Statement[]) {
  const wrapped = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((config: unknown, values?: unknown, ...rest: unknown[]) => {
      const text = typeof config === 'string' ? config : (config as { text?: string }).text;
      // Prepared statements (shared/src/db/prepared.ts) carry their values in the config.
      const params = Array.isArray(values) ? values : (config as { values?: unknown[] }).values;
      if (text !== undefined && params !== undefined) into.push({ text, values: params });
      return send(config, values, ...rest);
    }) as typeof client.query;
  });
}

/** The reference: the same ranked statement planned as if the index were not there (dropped in a transaction rolled back). */
async function withoutIndex(index: string, statements: Statement[]): Promise<string[]> {
  const ranked = statements.find((statement) => statement.text.includes('ts_rank_cd'));
  if (!ranked) return [];
  const client = await admin!.connect();
  try {
    await client.query('begin');
    await client.query(`drop index ${pg.escapeIdentifier(index)}`);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off) ${ranked.text}`,
      ranked.values,
    );
    return [
      `Without \`${index}\` (the reference):`,
      '',
      '```',
      ...rows.map((row) => row['QUERY PLAN']),
      '```',
      '',
    ];
  } finally {
    await client.query('rollback');
    client.release();
  }
}

let admin: pg.Pool | undefined;

async function main() {
  const database = await migratedTestDatabase('search-filter-plans');
  admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
  const orm = await createOrm({ url: database.appUrl, poolMax: 2 });
  const lines: string[] = [];
  try {
    const user = randomUUID();
    const started = performance.now();
    const { folders, topics } = await seed(admin, user, randomUUID());
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const {
      rows: [counts],
    } = await admin.query<{ total: number; mine: number; invoice: number }>(
      `select count(*)::int as total, count(*) filter (where user_id = $1)::int as mine,
              count(*) filter (where user_id = $1 and search_vector @@ websearch_to_tsquery('simple', 'invoice'))::int as invoice
       from documents`,
      [user],
    );
    lines.push(
      '# Query plans of filtered searches',
      '',
      `Generated by \`node bench/search-filter-plans.ts\` on ${new Date().toISOString()} (load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(', ')}; seeding took ${seconds} s).`,
      `Table: ${counts!.total} documents, ${counts!.mine} in the searching user's vault; "invoice" matches ${counts!.invoice} of them.`,
      'Each search ran once through the documents service; its statements are shown with EXPLAIN (ANALYZE, BUFFERS).',
      '',
    );
    const statements: Statement[] = [];
    record(await orm.em.getConnection().getNativeClient(), statements);
    const cases: [string, DocumentFilterInput][] = [
      ['MIME type', { mimeType: ['image/png'] }],
      ['MIME type and text source', { mimeType: ['application/pdf'], textSource: ['OCR'] }],
      ['folder with its sub-folders', { folderId: folders[0], includeSubfolders: true }],
      [
        'topic and upload date range',
        {
          topicId: topics[0],
          createdAfter: new Date(Date.now() - 90 * 86_400_000),
          createdBefore: new Date(),
        },
      ],
    ];
    for (const [name, filter] of cases) {
      statements.length = 0;
      const page = await searchDocuments({ em: orm.em.fork(), owner: user }, 'invoice', filter, 20, null);
      const total = await page.totalCount();
      lines.push(
        `## "invoice" filtered by ${name}`,
        '',
        '```json',
        JSON.stringify(filter),
        '```',
        '',
        `${total} matches.`,
        '',
      );
      for (const statement of statements.filter((s) => /ts_rank_cd|count\(\*\)/.test(s.text))) {
        const { rows } = await admin.query<{ 'QUERY PLAN': string }>(
          `explain (analyze, buffers, costs off) ${statement.text}`,
          statement.values,
        );
        lines.push('```sql', statement.text.replace(/\s+/g, ' ').trim(), '```', '', '```');
        lines.push(...rows.map((row) => row['QUERY PLAN']), '```', '');
      }
      if (name === 'MIME type')
        lines.push(...(await withoutIndex('documents_user_id_mime_type_index', statements)));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await orm.close();
    await admin.end();
    await database.drop();
  }
}

await withServices(main);
