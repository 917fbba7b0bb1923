-- Search at scale, second step (#19 item 5, docs/adr/0016-search-at-scale.md).
--
-- document_search_terms: for each document, the lexemes of its search vector that weigh at
-- least 2.0 in it (weight A = 1.0 per occurrence in the title, B = 0.4 per occurrence in the
-- text: five occurrences in the text, or the title and three), with that weight. For a query
-- of one word this weight is exactly ts_rank_cd(search_vector, query), so the best matches
-- of a word found in half the vault are an index range of this table instead of a rank of
-- every match (reading every match's whole vector out of line). Written by a trigger from
-- the stored search vector, for every write path; a document's rows go with it.
--
-- rank_vector is dropped: it was meant to stay in the row and did not (ADR 0016, "Measured"),
-- and the search no longer reads it; each write parses its text once fewer.
--
-- docuvault_text_language: the same rule and the same answers, without the three sub-selects
-- over unnest() of a SQL function (parsed and planned per call from the trigger: ~2 ms a
-- row, more than building the whole vector); a query of n words has 2n - 1 nodes.

-- migrate:up

create or replace function "docuvault_text_language"("sample" text) returns text
  language plpgsql immutable strict parallel safe
  as $$
    declare
      s constant text := pg_catalog.left("sample", 1200);
      words constant int := (pg_catalog.numnode(pg_catalog.plainto_tsquery('pg_catalog.simple', s)) + 1) / 2;
      english constant int := (pg_catalog.numnode(pg_catalog.plainto_tsquery('pg_catalog.english', s)) + 1) / 2;
      german constant int := (pg_catalog.numnode(pg_catalog.plainto_tsquery('pg_catalog.german', s)) + 1) / 2;
    begin
      return case
               when words < 8 then 'simple'
               when words - english >= words - german and (words - english) * 5 >= words then 'english'
               when (words - german) * 5 >= words then 'german'
               else 'simple'
             end;
    end
  $$;

alter table "documents" drop column "rank_vector";

create table "document_search_terms" (
  "document_id" uuid not null,
  "lexeme" text not null,
  -- The document's owner, copied so that one vault's best documents for a lexeme are one
  -- index range; null is the anonymous vault.
  "user_id" uuid null,
  "score" real not null,
  constraint "document_search_terms_pkey" primary key ("document_id", "lexeme")
);
alter table "document_search_terms"
  add constraint "document_search_terms_document_id_foreign" foreign key ("document_id")
  references "documents" ("id") on update no action on delete cascade;
create index "document_search_terms_user_id_lexeme_score_document_id_index"
  on "document_search_terms" ("user_id", "lexeme", "score", "document_id");
-- The anonymous vault: `user_id is null` is no equality to the planner, so the index above
-- would be read whole for a lexeme and sorted instead of read in order for its first rows.
create index "document_search_terms_anonymous_lexeme_score_document_id_index"
  on "document_search_terms" ("lexeme", "score", "document_id") where ("user_id" is null);

-- The weight of each lexeme in a search vector (A 1.0, B 0.4, C 0.2, D 0.1 per position: the
-- default weights of ts_rank_cd), those of at least 2.0 only.
create function "docuvault_search_terms"("vector" tsvector) returns table ("lexeme" text, "score" real)
  language sql immutable strict parallel safe
  as $$
    select t.lexeme, t.score
    from (select u.lexeme,
                 (1.0 * (pg_catalog.cardinality(u.weights) - pg_catalog.cardinality(pg_catalog.array_remove(u.weights, 'A')))
                  + 0.4 * (pg_catalog.cardinality(u.weights) - pg_catalog.cardinality(pg_catalog.array_remove(u.weights, 'B')))
                  + 0.2 * (pg_catalog.cardinality(u.weights) - pg_catalog.cardinality(pg_catalog.array_remove(u.weights, 'C')))
                  + 0.1 * (pg_catalog.cardinality(u.weights) - pg_catalog.cardinality(pg_catalog.array_remove(u.weights, 'D'))))::real as score
          from pg_catalog.unnest("vector") as u
          where pg_catalog.cardinality(u.positions) >= 2) as t
    where t.score >= 2.0
  $$;

create function "documents_search_terms"() returns trigger
  language plpgsql
  as $$
    begin
      if tg_op = 'UPDATE' then
        delete from document_search_terms where document_id = new.id;
      end if;
      insert into document_search_terms (document_id, lexeme, user_id, score)
        select new.id, t.lexeme, new.user_id, t.score from docuvault_search_terms(new.search_vector) as t;
      return null;
    end
  $$;

create trigger "documents_search_terms"
  after insert or update of "title", "extracted_text", "user_id" on "documents"
  for each row execute function "documents_search_terms"();

insert into "document_search_terms" ("document_id", "lexeme", "user_id", "score")
  select d.id, t.lexeme, d.user_id, t.score from "documents" d, docuvault_search_terms(d.search_vector) as t;

-- migrate:down

drop trigger "documents_search_terms" on "documents";
drop function "documents_search_terms"();
drop function "docuvault_search_terms"(tsvector);
drop table "document_search_terms";

alter table "documents"
  add column "rank_vector" tsvector generated always as (
    setweight(to_tsvector(docuvault_search_config("language"), coalesce("title", '')), 'A')
    || setweight(to_tsvector(docuvault_search_config("language"), left(coalesce("extracted_text", ''), 2000)), 'B')
  ) stored not null;

create or replace function "docuvault_text_language"("sample" text) returns text
  language sql immutable strict parallel safe
  as $$
    select case
             when s.words < 8 then 'simple'
             when s.words - s.english >= s.words - s.german and (s.words - s.english) * 5 >= s.words then 'english'
             when (s.words - s.german) * 5 >= s.words then 'german'
             else 'simple'
           end
    from (select (select coalesce(sum(pg_catalog.cardinality(v.positions)), 0)
                  from pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.simple', t.sample)) as v) as words,
                 (select coalesce(sum(pg_catalog.cardinality(v.positions)), 0)
                  from pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.english', t.sample)) as v) as english,
                 (select coalesce(sum(pg_catalog.cardinality(v.positions)), 0)
                  from pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.german', t.sample)) as v) as german
          from (select pg_catalog.left("sample", 1200) as sample) as t) as s
  $$;
