-- Search highlights by byte offsets (#19 item 5, docs/adr/0023-search-passages-by-byte-offsets.md).
--
-- docuvault_search_passages finds the places where a word starts with one of the query's
-- lexemes in the text's bytes instead of its characters. In a UTF-8 database every character
-- offset into a text is a count from its start: a regular expression converts all the text it
-- is given to wide characters first, and substr() at character 140 000 walks 140 000
-- characters, so a hit whose first match lies deep in a long text cost milliseconds before
-- ts_headline read a word. Bytes have none of that: position() over bytea is a plain scan,
-- substring() of bytea is a copy from an offset, and only the window given to ts_headline is
-- turned back into text (its ends moved to character boundaries first).
--
-- `prefixes`: each query lexeme as a word would start with it (an English stem ending in `i`
-- without it: library, librari), lower case; the text is searched for it as written, with a
-- capital first letter and in capitals, at a word start (the byte before it no letter, digit
-- or underscore, nor a letter of several bytes). The `head` characters are looked in first
-- (the caller cuts them: substr decompresses only the start of a text), the whole indexed
-- text only when they hold no such place or the window around one runs past them.
-- ts_headline reads `width` bytes around each place, up to five, until one shows a match (a
-- word that only shares a prefix shows none); when it shows one passage, the next place past
-- it gives a second, as a longer text would have. When five show none, ts_headline reads the
-- whole indexed text with the query; when no word starts with a lexeme at all (a title-only
-- match, mostly), it reads `head`: the text's start, marked if a match is there.
--
-- `marks`: the start mark, the end mark and the passage break of `options`, in that order.
-- `size`: octet_length of the whole text (read from its TOAST pointer, nothing decompressed).

-- migrate:up

drop function "docuvault_search_passages"(uuid, text, int, regconfig, tsquery, tsquery, text, text, text, int, int, int, int);

-- The first place at or after byte `from_byte` where a word starts with one of `needles`, 0
-- when there is none; at most `budget` places inside words are passed over per needle (a short
-- lexeme inside many words costs scans, not a match).
create function "docuvault_word_start"("bytes" bytea, "needles" bytea[], "from_byte" int, "budget" int)
  returns int
  language plpgsql immutable strict parallel safe
  as $$
    declare
      needle bytea;
      best int := 0;
      scan_from int;
      found int;
      before int;
      char_start int;
      inside boolean;
      passed int;
    begin
      foreach needle in array "needles" loop
        scan_from := "from_byte";
        passed := 0;
        while passed < "budget" loop
          -- Only up to the best place found so far: a later one cannot win.
          found := pg_catalog.position(
            case when best = 0 then pg_catalog.substr("bytes", scan_from)
                 else pg_catalog.substr("bytes", scan_from, best - scan_from + pg_catalog.length(needle) - 1) end,
            needle);
          exit when found = 0;
          found := found + scan_from - 1;
          before := case when found = 1 then 32 else pg_catalog.get_byte("bytes", found - 2) end;
          if before < 128 then
            inside := before between 48 and 57 or before between 65 and 90 or before between 97 and 122 or before = 95;
          else
            -- The character that ends there (a letter such as é, or a no-break space).
            char_start := greatest(1, found - 4);
            while char_start < found - 1 and pg_catalog.get_byte("bytes", char_start - 1) between 128 and 191 loop
              char_start := char_start + 1;
            end loop;
            inside := pg_catalog.right(pg_catalog.convert_from(pg_catalog.substr("bytes", char_start, found - char_start), 'UTF8'), 1)
                      ~ '[[:alnum:]_]';
          end if;
          if not inside then
            best := found;
            exit;
          end if;
          scan_from := found + 1;
          passed := passed + 1;
        end loop;
      end loop;
      return best;
    end
  $$;

-- `width` bytes of `bytes` from `lead` bytes before `at`, cut at character boundaries, as text.
create function "docuvault_byte_window"("bytes" bytea, "at" int, "lead" int, "width" int)
  returns text
  language plpgsql immutable strict parallel safe
  as $$
    declare
      size constant int := pg_catalog.length("bytes");
      first int := greatest(1, "at" - "lead");
      last int;
    begin
      -- A UTF-8 continuation byte is 10xxxxxx: never the start of a character.
      while first < "at" and pg_catalog.get_byte("bytes", first - 1) between 128 and 191 loop
        first := first + 1;
      end loop;
      last := least(size, first + "width" - 1);
      while last < size and pg_catalog.get_byte("bytes", last) between 128 and 191 loop
        last := last - 1;
      end loop;
      return pg_catalog.convert_from(pg_catalog.substr("bytes", first, last - first + 1), 'UTF8');
    end
  $$;

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
      while needles is not null and tries < 5 loop
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
        from_byte := at + 1;
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

drop function "docuvault_search_passages"(uuid, text, int, regconfig, tsquery, tsquery, text[], text, text, int, int, int);
drop function "docuvault_byte_window"(bytea, int, int, int);
drop function "docuvault_word_start"(bytea, bytea[], int, int);

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

