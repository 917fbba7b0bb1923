-- Search highlights: where a word starts, looked for in growing parts of the text
-- (#19 item 5, docs/adr/0025-word-starts-in-growing-parts.md).
--
-- docuvault_word_start looked for each needle (a query lexeme as written, Capitalised and in
-- CAPITALS) from `from_byte` to the end of the text, and position() over bytea compares at
-- every byte. A needle that is not in the text (most CAPITALS ones) cost a scan of all of
-- it, and the needles came in byte order, so those scans came first, before the lower-case
-- needle that sets a bound for the others. The best hits of a broad word are long texts
-- (150 KB): over 100 000 seeded documents this function was half of a search's headline
-- CPU. Now every needle is looked for in the same part of the text, 4 KB from `from_byte`,
-- then a part four times as long after it, and so on: the answer is in the first part that
-- holds a word start, and what is read past it is at most that part. Same answers as
-- before: each byte is tried once per needle, and the budget counts per needle across parts,
-- but one: a letter past ASCII before the needle (é in `ésystem`) now makes it a place inside a
-- word, as the comment always said (convert_from answers in the "C" collation, where it was not).
--
-- docuvault_search_passages went on from one byte past a place whose window showed no match,
-- so a word such as `systemd` (query: system) written many times in a row cost a window for
-- each, and after five the whole text went to ts_headline (a 35 KB text: ~5 ms). It now goes
-- on from the end of the window (less 64 bytes, for a word the window cut), with up to eight
-- windows before the whole text.

-- migrate:up

create or replace function "docuvault_word_start"("bytes" bytea, "needles" bytea[], "from_byte" int, "budget" int)
  returns int
  language plpgsql immutable strict parallel safe
  as $$
    declare
      size constant int := pg_catalog.length("bytes");
      needle_count constant int := coalesce(pg_catalog.array_length("needles", 1), 0);
      -- Per needle: where its next look starts, and how many places inside words it passed over.
      next_from int[] := pg_catalog.array_fill("from_byte", array[needle_count]);
      passed int[] := pg_catalog.array_fill(0, array[needle_count]);
      part_start int := "from_byte";
      part_size int := 4096;
      -- The last byte at which a match may start in this part (or before the best one so far).
      last_start int;
      best int;
      needle bytea;
      found int;
      before int;
      char_start int;
      inside boolean;
    begin
      while part_start <= size loop
        best := 0;
        for i in 1 .. needle_count loop
          needle := "needles"[i];
          loop
            last_start := case when best = 0 then least(size, part_start + part_size - 1) else best - 1 end;
            exit when passed[i] >= "budget" or next_from[i] > last_start;
            found := pg_catalog.position(
              pg_catalog.substr("bytes", next_from[i], last_start - next_from[i] + pg_catalog.length(needle)),
              needle);
            if found = 0 then
              next_from[i] := last_start + 1;
              exit;
            end if;
            found := found + next_from[i] - 1;
            before := case when found = 1 then 32 else pg_catalog.get_byte("bytes", found - 2) end;
            if before < 128 then
              inside := before between 48 and 57 or before between 65 and 90 or before between 97 and 122 or before = 95;
            else
              -- The character that ends there (a letter such as é, or a no-break space).
              char_start := greatest(1, found - 4);
              while char_start < found - 1 and pg_catalog.get_byte("bytes", char_start - 1) between 128 and 191 loop
                char_start := char_start + 1;
              end loop;
              -- convert_from's result has the "C" collation, under which no letter past ASCII is one.
              inside := pg_catalog.right(pg_catalog.convert_from(pg_catalog.substr("bytes", char_start, found - char_start), 'UTF8'), 1)
                        collate "default" ~ '[[:alnum:]_]';
            end if;
            if not inside then
              best := found;
              exit;
            end if;
            next_from[i] := found + 1;
            passed[i] := passed[i] + 1;
          end loop;
        end loop;
        if best > 0 then
          return best;
        end if;
        part_start := part_start + part_size;
        part_size := part_size * 4;
      end loop;
      return 0;
    end
  $$;

create or replace function "docuvault_search_passages"(
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

-- migrate:down

create or replace function "docuvault_word_start"("bytes" bytea, "needles" bytea[], "from_byte" int, "budget" int)
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

create or replace function "docuvault_search_passages"(
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
