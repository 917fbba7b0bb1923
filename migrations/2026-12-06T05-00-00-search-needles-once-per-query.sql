-- Search highlights: the forms of the query's words looked for in a text, made once per
-- query instead of once per hit (#19 item 5, docs/adr/0026-search-needles-once-per-query-and-statistics-kept.md).
--
-- docuvault_search_passages made its needles (each word start as written, Capitalised and in
-- CAPITALS, as UTF-8 bytes) with a query of its own on every call, twenty times per search
-- page for the same query: ~12 % of a page's headline CPU over the seeded 100 000 documents.
-- docuvault_word_needles makes them from the query's prefixes, once, in the statement that
-- asks for the page's headlines; the passage function takes them ready made. Same answers.

-- migrate:up

create function "docuvault_word_needles"("prefixes" text[])
  returns bytea[]
  language sql immutable strict parallel safe
  as $$
    select pg_catalog.array_agg(distinct pg_catalog.convert_to(f.form, 'UTF8'))
    from pg_catalog.unnest("prefixes") as p(prefix),
         lateral (values (p.prefix),
                         (pg_catalog.upper(pg_catalog.left(p.prefix, 1)) || pg_catalog.substr(p.prefix, 2)),
                         (pg_catalog.upper(p.prefix))) as f(form)
    where p.prefix <> ''
  $$;

drop function "docuvault_search_passages"(uuid, text, int, regconfig, tsquery, tsquery, text[], text, text, int, int, int);

create function "docuvault_search_passages"(
  "document_id" uuid, "head" text, "size" int, "config" regconfig, "query" tsquery, "words" tsquery,
  "needles" bytea[], "options" text, "marks" text, "lead" int, "width" int, "text_limit" int)
  returns text
  language plpgsql stable parallel safe
  as $$
    declare
      spaces constant text := pg_catalog.repeat(' ', pg_catalog.length("marks"));
      mark constant text := pg_catalog.substr("marks", 1, 1);
      passage_break constant text := pg_catalog.substr("marks", 3, 1);
      -- Places inside words passed over per lexeme form before giving up on it.
      budget constant int := 50;
      bytes bytea := pg_catalog.convert_to(coalesce("head", ''), 'UTF8');
      whole boolean := coalesce("size", 0) <= pg_catalog.length(bytes);
      from_byte int := 1;
      at int;
      tries int := 0;
      passage text;
      second text;
    begin
      while needles is not null and tries < 8 loop
        at := public.docuvault_word_start(bytes, needles, from_byte, budget);
        if not whole and (at = 0 or at - "lead" + "width" > pg_catalog.length(bytes)) then
          -- The rest of the text: where the head holds no place, on from a little before its
          -- end (a word may straddle it); else the same place, with the text around it. Whole:
          -- reading it by growing parts measured no cheaper (substr of a text's start
          -- decompresses four bytes for each character it returns).
          if at = 0 then
            from_byte := greatest(from_byte, pg_catalog.length(bytes) - "lead");
          end if;
          -- Bytes within the indexed characters: no more bytes than `text_limit` are fewer
          -- characters; a longer text is cut by characters first.
          select pg_catalog.convert_to(case when pg_catalog.octet_length(d.extracted_text) <= "text_limit"
                                            then d.extracted_text
                                            else pg_catalog.left(d.extracted_text, "text_limit") end, 'UTF8')
            into bytes from public.documents d where d.id = "document_id";
          whole := true;
          continue;
        end if;
        exit when at = 0;
        tries := tries + 1;
        passage := pg_catalog.ts_headline("config",
          pg_catalog.translate(public.docuvault_byte_window(bytes, at, "lead", "width"), "marks", spaces), "words", "options");
        if pg_catalog.strpos(passage, mark) > 0 then
          exit when pg_catalog.strpos(passage, passage_break) > 0;
          -- One passage: a second from the next place past this window, as ts_headline would
          -- have found over a longer text.
          at := public.docuvault_word_start(bytes, needles, greatest(1, at - "lead") + "width", budget);
          if at > 0 then
            second := pg_catalog.ts_headline("config",
              pg_catalog.translate(public.docuvault_byte_window(bytes, at, "lead", "width"), "marks", spaces), "words", "options");
            if pg_catalog.strpos(second, mark) > 0 then
              passage := passage || passage_break || pg_catalog.split_part(second, passage_break, 1);
            end if;
          end if;
          exit;
        end if;
        -- Nothing of the query in the whole window: on from its end, less room for a word it
        -- cut (a window's places are seen by one ts_headline, not one each).
        from_byte := greatest(at + 1, at - "lead" + "width" - 64);
        passage := null;
      end loop;
      if passage is not null then
        return passage;
      end if;
      if tries = 0 then
        return pg_catalog.ts_headline("config", pg_catalog.translate(coalesce("head", ''), "marks", spaces), "words", "options");
      end if;
      return (select pg_catalog.ts_headline("config",
                       pg_catalog.translate(pg_catalog.left(d.extracted_text, "text_limit"), "marks", spaces), "query", "options")
              from public.documents d where d.id = "document_id");
    end
  $$;

-- migrate:down

drop function "docuvault_search_passages"(uuid, text, int, regconfig, tsquery, tsquery, bytea[], text, text, int, int, int);
drop function "docuvault_word_needles"(text[]);

create function "docuvault_search_passages"(
  "document_id" uuid, "head" text, "size" int, "config" regconfig, "query" tsquery, "words" tsquery,
  "prefixes" text[], "options" text, "marks" text, "lead" int, "width" int, "text_limit" int)
  returns text
  language plpgsql stable parallel safe
  as $$
    declare
      spaces constant text := pg_catalog.repeat(' ', pg_catalog.length("marks"));
      mark constant text := pg_catalog.substr("marks", 1, 1);
      passage_break constant text := pg_catalog.substr("marks", 3, 1);
      -- Places inside words passed over per lexeme form before giving up on it.
      budget constant int := 50;
      needles bytea[];
      bytes bytea := pg_catalog.convert_to(coalesce("head", ''), 'UTF8');
      whole boolean := coalesce("size", 0) <= pg_catalog.length(bytes);
      from_byte int := 1;
      at int;
      tries int := 0;
      passage text;
      second text;
    begin
      select pg_catalog.array_agg(distinct pg_catalog.convert_to(f.form, 'UTF8')) into needles
        from pg_catalog.unnest("prefixes") as p(prefix),
             lateral (values (p.prefix),
                             (pg_catalog.upper(pg_catalog.left(p.prefix, 1)) || pg_catalog.substr(p.prefix, 2)),
                             (pg_catalog.upper(p.prefix))) as f(form)
        where p.prefix <> '';
      while needles is not null and tries < 8 loop
        at := public.docuvault_word_start(bytes, needles, from_byte, budget);
        if not whole and (at = 0 or at - "lead" + "width" > pg_catalog.length(bytes)) then
          -- The rest of the text: where the head holds no place, on from a little before its
          -- end (a word may straddle it); else the same place, with the text around it. Whole:
          -- reading it by growing parts measured no cheaper (substr of a text's start
          -- decompresses four bytes for each character it returns).
          if at = 0 then
            from_byte := greatest(from_byte, pg_catalog.length(bytes) - "lead");
          end if;
          -- Bytes within the indexed characters: no more bytes than `text_limit` are fewer
          -- characters; a longer text is cut by characters first.
          select pg_catalog.convert_to(case when pg_catalog.octet_length(d.extracted_text) <= "text_limit"
                                            then d.extracted_text
                                            else pg_catalog.left(d.extracted_text, "text_limit") end, 'UTF8')
            into bytes from public.documents d where d.id = "document_id";
          whole := true;
          continue;
        end if;
        exit when at = 0;
        tries := tries + 1;
        passage := pg_catalog.ts_headline("config",
          pg_catalog.translate(public.docuvault_byte_window(bytes, at, "lead", "width"), "marks", spaces), "words", "options");
        if pg_catalog.strpos(passage, mark) > 0 then
          exit when pg_catalog.strpos(passage, passage_break) > 0;
          -- One passage: a second from the next place past this window, as ts_headline would
          -- have found over a longer text.
          at := public.docuvault_word_start(bytes, needles, greatest(1, at - "lead") + "width", budget);
          if at > 0 then
            second := pg_catalog.ts_headline("config",
              pg_catalog.translate(public.docuvault_byte_window(bytes, at, "lead", "width"), "marks", spaces), "words", "options");
            if pg_catalog.strpos(second, mark) > 0 then
              passage := passage || passage_break || pg_catalog.split_part(second, passage_break, 1);
            end if;
          end if;
          exit;
        end if;
        -- Nothing of the query in the whole window: on from its end, less room for a word it
        -- cut (a window's places are seen by one ts_headline, not one each).
        from_byte := greatest(at + 1, at - "lead" + "width" - 64);
        passage := null;
      end loop;
      if passage is not null then
        return passage;
      end if;
      if tries = 0 then
        return pg_catalog.ts_headline("config", pg_catalog.translate(coalesce("head", ''), "marks", spaces), "words", "options");
      end if;
      return (select pg_catalog.ts_headline("config",
                       pg_catalog.translate(pg_catalog.left(d.extracted_text, "text_limit"), "marks", spaces), "query", "options")
              from public.documents d where d.id = "document_id");
    end
  $$;
