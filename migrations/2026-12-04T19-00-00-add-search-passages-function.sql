-- Search highlights at scale (#19 items 5 and 6, docs/adr/0016-search-at-scale.md, "Highlights").
--
-- docuvault_search_passages: the passages of a hit's text, matches marked, as ts_headline
-- gives them, but parsing a few hundred characters instead of thousands. ts_headline parses
-- everything it is given (a few megabytes a second), and the best hits of a broad word are the
-- longest documents. So the places where a word starts with one of the query's lexemes are
-- found with a regular expression (`pattern`, built by the caller: the simple configuration's
-- lexeme is the word as typed, a stemmed one mostly its prefix), first in the text's first
-- `look_ahead` characters (substr decompresses only that much), then in the rest of the indexed
-- text; ts_headline reads `width` characters around each such place, up to five, until one
-- shows a match (a word that only shares a prefix shows none); when it shows one passage, the
-- next place past it gives a second, as a longer text would have. When five show none, ts_headline
-- reads the whole indexed text with the query, as before this function; when no word starts
-- with a lexeme at all (a title-only match, mostly), it reads the first `head_width`
-- characters: the text's start, marked if a match is there. A function, not sub-selects per
-- row, so that its plan is made once per session rather than with every search.

-- `marks`: the start mark, the end mark and the passage break of `options`, in that order.

-- migrate:up

create function "docuvault_search_passages"(
  "config" regconfig, "body" text, "query" tsquery, "words" tsquery, "pattern" text, "options" text,
  "marks" text, "look_ahead" int, "lead" int, "width" int, "head_width" int, "text_limit" int)
  returns text
  language plpgsql stable parallel safe
  as $$
    declare
      spaces constant text := pg_catalog.repeat(' ', pg_catalog.length("marks"));
      mark constant text := pg_catalog.substr("marks", 1, 1);
      passage_break constant text := pg_catalog.substr("marks", 3, 1);
      source text := pg_catalog.substr("body", 1, "look_ahead");
      whole boolean := coalesce(pg_catalog.octet_length("body"), 0) <= "look_ahead";
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
          -- On into the rest of the text, a little before where the first part ended (a word
          -- may straddle it).
          source := pg_catalog.left("body", "text_limit");
          whole := true;
          next_from := greatest(1, "look_ahead" - "lead");
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
              pg_catalog.translate(pg_catalog.substr(source, greatest(1, at - "lead"), "width"), "marks", spaces), "words", "options");
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
        return pg_catalog.ts_headline("config",
          pg_catalog.translate(pg_catalog.substr("body", 1, "head_width"), "marks", spaces), "words", "options");
      end if;
      return pg_catalog.ts_headline("config",
        pg_catalog.translate(pg_catalog.left("body", "text_limit"), "marks", spaces), "query", "options");
    end
  $$;

-- migrate:down

drop function "docuvault_search_passages"(regconfig, text, tsquery, tsquery, text, text, text, int, int, int, int, int);
