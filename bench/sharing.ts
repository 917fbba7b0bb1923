import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { deriveTokenKey, signAccessToken } from '@docuvault/shared/auth/access-token';
import { generateCorpus } from '../devkit/fixtures/corpus.ts';
import { compareLoads, median, type Side } from './support/compare.ts';
import { ms, type ScenarioResult } from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// What sharing costs a reader (issue 20): `documents(filter: { sharedWithMe: true })` and
// `search` for a user who owns nothing and has 10 000 documents shared with them through
// 50 groups (200 document shares each), against the same queries by a user who owns
// 10 000 documents (the reference), in the same run, one request at a time through the
// gateway, in interleaved rounds. The figure is the p95 ratio per round (median of rounds).
//
//   node bench/sharing.ts

const DOCUMENTS = 10_000;
const GROUPS = 50;
const FIRST = 20;

const LIST = `query Shared($shared: Boolean) { documents(filter: { sharedWithMe: $shared }, first: ${FIRST})
  { totalCount edges { node { id title myRole } } } }`;
const SEARCH = `query Search($q: String!) { search(query: $q, first: ${FIRST})
  { totalCount edges { snippet node { id title myRole } } } }`;
const TERMS = ['invoice', '"bank transfer"', 'r1234'];

async function insertUser(admin: pg.Pool, label: string): Promise<string> {
  const id = randomUUID();
  await admin.query(
    `insert into users (id, email, password_hash, role) values ($1, $2, 'not-a-hash', 'USER')`,
    [id, `bench-${label}-${id}@example.test`],
  );
  return id;
}

/** `count` classified documents of `owner`, text from the corpus generator, a second apart. */
async function insertDocuments(admin: pg.Pool, owner: string, count: number): Promise<void> {
  const run = randomBytes(6).toString('hex');
  const corpus = generateCorpus(Math.ceil(count / 5) + 2);
  const rows = Array.from({ length: count }, (_, i) => i);
  const texts = rows.map(
    (i) => `${corpus[i]!.text} ${corpus[i + 5]!.text} Reference r${String(i % 5_000).padStart(4, '0')}.`,
  );
  await admin.query(
    `insert into documents (user_id, title, original_filename, mime_type, size_bytes, sha256, object_key, status,
                            extracted_text, created_at, updated_at)
     select $1::uuid, 'Document ' || t.i, 'document-' || t.i || '.pdf', 'application/pdf', 20000,
            encode(sha256(convert_to($2 || ':' || t.i, 'UTF8')), 'hex'),
            $1 || '/bench-' || $2 || '/' || t.i || '.pdf', 'CLASSIFIED', t.text,
            now() - make_interval(secs => t.i), now() - make_interval(secs => t.i)
     from unnest($3::int[], $4::text[]) as t(i, text)`,
    [owner, run, rows, texts],
  );
}

/** 50 groups with the reader in each; the sharer's documents shared round-robin, 200 per group. */
async function shareThroughGroups(admin: pg.Pool, sharer: string, reader: string): Promise<void> {
  await admin.query(
    `with made as (
       insert into groups (name) select 'bench group ' || g || ' ' || $3 from generate_series(1, $4::int) g
       returning id),
     numbered as (select id, row_number() over (order by id) - 1 as n from made),
     members as (insert into group_members (group_id, user_id)
                 select id, $2::uuid from numbered union all select id, $1::uuid from numbered)
     insert into shares (document_id, grantee_group_id, permission, created_by_id)
     select d.id, g.id, 'READ', $1::uuid
       from (select id, row_number() over (order by created_at, id) - 1 as n from documents where user_id = $1::uuid) d
       join numbered g on g.n = d.n % $4::int`,
    [sharer, reader, randomBytes(4).toString('hex'), GROUPS],
  );
}

const bodies = (query: string, variables: Record<string, unknown>[]) =>
  variables.map((v) => JSON.stringify({ query, variables: v }));

function ratioRow(label: string, shared: Side, own: Side) {
  const perRound = shared.rounds.map((round, i) => round.p95 / own.rounds[i]!.p95);
  const ratio = median(perRound);
  const failed = [...shared.rounds, ...own.rounds].reduce((sum, round) => sum + round.failed, 0);
  return {
    scenario: `${label}: 10 000 shared through 50 groups vs 10 000 own, 1 connection`,
    measured: `p95 ${ms(shared.median.p95)} (rounds ${shared.rounds.map((r) => ms(r.p95)).join(', ')})${failed ? ` — **${failed} failed**` : ''}`,
    reference: `p95 ${ms(own.median.p95)} own`,
    ratio: `${ratio.toFixed(2)}× (${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})`,
    target: '≤ 1.5×',
    met: ratio <= 1.5 && failed === 0,
  };
}

export const sharing: Scenario = {
  name: 'sharing',
  async run(context: Context): Promise<ScenarioResult> {
    const system = await context.system();
    context.say(
      `sharing: ${DOCUMENTS} own documents for one user, ${DOCUMENTS} shared through ${GROUPS} groups with another…`,
    );
    const holder = await insertUser(system.admin, 'holder');
    const sharer = await insertUser(system.admin, 'sharer');
    const reader = await insertUser(system.admin, 'reader');
    await insertDocuments(system.admin, holder, DOCUMENTS);
    await insertDocuments(system.admin, sharer, DOCUMENTS);
    await shareThroughGroups(system.admin, sharer, reader);
    // document_access is filled by the database's triggers as the shares go in (migrations/…-create-document-access.sql).
    await system.admin.query('vacuum (analyze) documents, shares, group_members, groups, document_access');
    const key = deriveTokenKey(system.secretKey);
    const tokenOf = async (id: string) => (await signAccessToken(key, { id, role: 'USER' })).token;
    const as = (token: string) => () => ({ authorization: `Bearer ${token}` });
    const [holderToken, readerToken] = [await tokenOf(holder), await tokenOf(reader)];
    const side = (token: string, list: string[]) => ({
      url: system.gatewayUrl,
      bodies: list,
      headers: as(token),
      connections: 1,
    });
    const searchBodies = bodies(
      SEARCH,
      TERMS.map((q) => ({ q })),
    );
    context.say('listing and search, shared against own, interleaved rounds…');
    const [sharedList, ownList, sharedSearch, ownSearch] = await compareLoads([
      side(readerToken, bodies(LIST, [{ shared: true }])),
      side(holderToken, bodies(LIST, [{ shared: false }])),
      side(readerToken, searchBodies),
      side(holderToken, searchBodies),
    ]);
    return {
      rows: [
        ratioRow('documents(filter: { sharedWithMe: true })', sharedList!, ownList!),
        ratioRow('search', sharedSearch!, ownSearch!),
      ],
      notes: [
        `sharing: \`${LIST.replace(/\s+/g, ' ')}\` (sharedWithMe true for the reader, false for the holder) and ` +
          `\`${SEARCH.replace(/\s+/g, ' ')}\` over ${TERMS.map((t) => `\`${t}\``).join(', ')}, with the ` +
          "reader's or the holder's token. The reader owns nothing; the sharer's 10 000 documents are shared " +
          'with 50 groups (200 document shares each) that the reader is in. Ratio = shared p95 / own p95 per round.',
      ],
    };
  },
};

await runIfMain(sharing, import.meta.url);
