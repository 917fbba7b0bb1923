-- Search highlights at scale (#19 items 5 and 6, docs/adr/0016-search-at-scale.md, "Revision
-- 2026-12-04, evening").
--
-- docuvault_search_passages: the passages of a hit's text, matches marked, as ts_headline
-- gives them, but parsing a few hundred characters instead of thousands. ts_headline parses
-- everything it is given (a few megabytes a second), and the best hits of a broad word are the
-- longest documents. So the places where a word starts with one of the query's lexemes are
-- found with a regular expression (`pattern`, built by the caller: the simple configuration's
-- lexeme is the word as typed, a stemmed one mostly its prefix), first in the text's first
-- `head_width` characters (`head`, which the caller cuts), then in its first `look_ahead`, then
-- in the whole indexed text, each read only when the part before held no such place (substr
-- decompresses only the start of a text it needs; a text passed whole to a function would be
-- decompressed whole). ts_headline reads `width` characters around each such place, up to
-- five, until one shows a match (a word that only shares a prefix shows none); when it shows
-- one passage, the next place past it gives a second, as a longer text would have. When five
-- show none, ts_headline reads the whole indexed text with the query, as before this function;
-- when no word starts with a lexeme at all (a title-only match, mostly), it reads `head`: the
-- text's start, marked if a match is there. A function, not sub-selects per row, so that its
-- plans are made once per session rather than with every search.
--
-- `marks`: the start mark, the end mark and the passage break of `options`, in that order.
-- `size`: octet_length of the whole text (read from its TOAST pointer, nothing decompressed).

-- migrate:up

create function "docuvault_search_passages"(
  "document_id" uuid, "head" text, "size" int, "config" regconfig, "query" tsquery, "words" tsquery,
  "pattern" text, "options" text, "marks" text, "look_ahead" int, "lead" int, "width" int, "text_limit" int)
  returns text
  language plpgsql stable parallel safe
  as $$
    declare
      spaces constant text := pg_catalog.repeat(' ', pg_catalog.length("marks"));
      mark constant text := pg_catalog.substr("marks", 1, 1);
      passage_break constant text := pg_catalog.substr("marks", 3, 1);
      -- How far into the text the search has gone (a regular expression converts all the text
      -- it is given before it matches, so it is given a longer part only when needed), and
      -- whether that is all of it (octets, never fewer than characters, bound it).
      reach int := pg_catalog.length("head");
      source text := "head";
      whole boolean := coalesce("size", 0) <= reach;
      next_from int := 1;
      at int;
      tries int := 0;
      passage text;
      second text;
    begin
      while "pattern" is not null and tries < 5 loop
        at := coalesce(pg_catalog.regexp_instr(source, "pattern", next_from, 1, 0, 'i'), 0);
        if at = 0 then
          exit when whole;
          -- Further in, from a little before where this part ended (a word may straddle it).
          next_from := greatest(1, reach - "lead");
          if reach < "look_ahead" then
            reach := "look_ahead";
            select pg_catalog.substr(d.extracted_text, 1, reach) into source
              from public.documents d where d.id = "document_id";
            whole := "size" <= reach;
          else
            select pg_catalog.left(d.extracted_text, "text_limit") into source
              from public.documents d where d.id = "document_id";
            whole := true;
          end if;
          continue;
        end if;
        tries := tries + 1;
        passage := pg_catalog.ts_headline("config",
          pg_catalog.translate(pg_catalog.substr(source, greatest(1, at - "lead"), "width"), "marks", spaces),
          "words", "options");
        if pg_catalog.strpos(passage, mark) > 0 then
          exit when pg_catalog.strpos(passage, passage_break) > 0;
          -- One passage: a second from the next place past this window, as ts_headline would
          -- have found over a longer text.
          at := coalesce(pg_catalog.regexp_instr(source, "pattern", greatest(1, at - "lead") + "width", 1, 0, 'i'), 0);
          if at > 0 then
            second := pg_catalog.ts_headline("config",
              pg_catalog.translate(pg_catalog.substr(source, greatest(1, at - "lead"), "width"), "marks", spaces),
              "words", "options");
            if pg_catalog.strpos(second, mark) > 0 then
              passage := passage || passage_break || pg_catalog.split_part(second, passage_break, 1);
            end if;
          end if;
          exit;
        end if;
        next_from := at + 1;
        passage := null;
      end loop;
      if passage is not null then
        return passage;
      end if;
      if tries = 0 then
        return pg_catalog.ts_headline("config", pg_catalog.translate("head", "marks", spaces), "words", "options");
      end if;
      if not whole then
        select pg_catalog.left(d.extracted_text, "text_limit") into source
          from public.documents d where d.id = "document_id";
      end if;
      return pg_catalog.ts_headline("config", pg_catalog.translate(source, "marks", spaces), "query", "options");
    end
  $$;

-- migrate:down

drop function "docuvault_search_passages"(uuid, text, int, regconfig, tsquery, tsquery, text, text, text, int, int, int, int);
