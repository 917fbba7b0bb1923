import { SEARCH_LANGUAGES, type SearchLanguage } from '@docuvault/shared/db/entities/documents';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { lexemesOf } from './documents.repository.ts';

/**
 * What the planner's statistics know of documents.search_vector: its most common elements
 * (pg_stats; ten times the column's statistics target, the most frequent lexemes). For a
 * lexeme they do not keep, PostgreSQL's estimate of `search_vector @@ query` is no measurement
 * but a bound: half the frequency of the rarest one kept, at most 0.5 % of the rows. Over
 * 1 000 000 documents that was ~5 000 for `r1234`, in 200 of them
 * (docs/adr/0024-search-totals-of-words-the-statistics-do-not-keep.md).
 *
 * They change only when the table is analysed, and reading them costs ~2 ms of PostgreSQL CPU
 * (the list is turned from `anyarray` into text), so each process keeps them for a while.
 */
const KEPT_FOR_MS = 5 * 60_000;

const kept = new WeakMap<object, { readAt: number; lexemes: Promise<ReadonlySet<string>> }>();

function lexemesTheStatisticsKeep(em: EntityManager): Promise<ReadonlySet<string>> {
  const database = em.getConnection();
  const cached = kept.get(database);
  if (cached && Date.now() - cached.readAt < KEPT_FOR_MS) return cached.lexemes;
  const lexemes = sql<{ elements: string[] | null }>`select most_common_elems::text::text[] as elements
        from pg_stats
        where schemaname = (select relnamespace::regnamespace::text from pg_class
                            where oid = 'documents'::regclass)
          and tablename = 'documents' and attname = 'search_vector'`
    .execute(db(em))
    .then(({ rows }) => new Set(rows[0]?.elements ?? []));
  kept.set(database, { readAt: Date.now(), lexemes });
  lexemes.catch(() => kept.delete(database));
  return lexemes;
}

/**
 * The search languages in which the query has lexemes and the statistics keep every one:
 * those whose estimate for the query measures something.
 */
export async function languagesTheStatisticsKnow(em: EntityManager, text: string): Promise<SearchLanguage[]> {
  // One after another: on the request's connection, not two of the pool's.
  const known = await lexemesTheStatisticsKeep(em);
  const { rows } = await sql<{ language: SearchLanguage; lexemes: string[] }>`select l.language,
          array(select w.lexeme from ${lexemesOf(sql`websearch_to_tsquery(l.language::regconfig, ${text})`)} w) as lexemes
        from unnest(${sql.val(SEARCH_LANGUAGES)}::text[]) as l(language)`.execute(db(em));
  return rows
    .filter(({ lexemes }) => lexemes.length > 0 && lexemes.every((lexeme) => known.has(lexeme)))
    .map(({ language }) => language);
}
