-- Search at scale and in two languages (#19, docs/adr/0016-search-at-scale.md).
--
-- language: the document's language, detected from its title and the first 1 000
-- characters of its text by the share of stop words (PostgreSQL's own English and German
-- stop-word lists): 'english' or 'german' when at least one word in five is a stop word of
-- that language (the larger share wins), else 'simple' (too short, code, identifiers, any
-- other language). Set by a trigger whenever title or text is written, before the generated
-- columns are computed from it.
-- search_vector: now built with the configuration of that language (stemming), so that a
-- German document is found by an inflected form; queries are parsed in all three
-- configurations and OR-ed (see tsQuery), so they match across languages.
-- rank_vector: the title and the first 2 000 characters only, in the same configuration:
-- ranking reads this small vector instead of the whole text's (which for a long document is
-- tens of kilobytes stored out of line); matching still uses search_vector.

-- migrate:up

create function "docuvault_text_language"("sample" text) returns text
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

create function "docuvault_search_config"("language" text) returns regconfig
  language sql immutable strict parallel safe
  as $$
    select case "language"
             when 'english' then 'pg_catalog.english'::pg_catalog.regconfig
             when 'german' then 'pg_catalog.german'::pg_catalog.regconfig
             else 'pg_catalog.simple'::pg_catalog.regconfig
           end
  $$;

create function "documents_detect_language"() returns trigger
  language plpgsql
  as $$
    begin
      new.language := docuvault_text_language(
        coalesce(new.title, '') || ' ' || left(coalesce(new.extracted_text, ''), 1000));
      return new;
    end
  $$;

alter table "documents"
  add column "language" text not null default 'simple',
  add constraint "documents_language_check" check ("language" in ('english', 'german', 'simple'));

update "documents"
  set "language" = docuvault_text_language(coalesce("title", '') || ' ' || left(coalesce("extracted_text", ''), 1000));

create trigger "documents_detect_language"
  before insert or update of "title", "extracted_text" on "documents"
  for each row execute function "documents_detect_language"();

drop index "documents_search_vector_index";

alter table "documents"
  drop column "search_vector",
  add column "search_vector" tsvector generated always as (
    setweight(to_tsvector(docuvault_search_config("language"), coalesce("title", '')), 'A')
    || setweight(to_tsvector(docuvault_search_config("language"), left(coalesce("extracted_text", ''), 500000)), 'B')
  ) stored not null,
  add column "rank_vector" tsvector generated always as (
    setweight(to_tsvector(docuvault_search_config("language"), coalesce("title", '')), 'A')
    || setweight(to_tsvector(docuvault_search_config("language"), left(coalesce("extracted_text", ''), 2000)), 'B')
  ) stored not null;

create index "documents_search_vector_index" on "documents" using gin ("search_vector");

-- migrate:down

drop index "documents_search_vector_index";

alter table "documents"
  drop column "rank_vector",
  drop column "search_vector",
  add column "search_vector" tsvector generated always as (
    setweight(to_tsvector('simple', coalesce(title, '')), 'A')
    || setweight(to_tsvector('simple', left(coalesce(extracted_text, ''), 500000)), 'B')
  ) stored not null;

create index "documents_search_vector_index" on "documents" using gin ("search_vector");

drop trigger "documents_detect_language" on "documents";

alter table "documents"
  drop constraint "documents_language_check",
  drop column "language";

drop function "documents_detect_language"();
drop function "docuvault_search_config"(text);
drop function "docuvault_text_language"(text);
