-- Search totals: the planner's statistics of documents.search_vector keep three times as many
-- lexemes (#19 item 5, docs/adr/0026-search-needles-once-per-query-and-statistics-kept.md).
--
-- A search past SEARCH_EXACT_COUNT_LIMIT matches reports the planner's estimate, which measures
-- something only for lexemes in the column's most common elements (ten per point of the
-- statistics target: 1 000 by default). Over the seeded vaults the 1 000 most frequent lexemes
-- are each in ~7–8 % of the documents or more, so a word in 3–6 % of them (`whitespace`,
-- `milliseconds`, `propagating`) was counted to one past the limit and reported as the
-- planner's bound: "about 1 493" at 100 000 documents (6 241 match), "about 14 923" at
-- 1 000 000 (62 002). At 300 (3 000 lexemes, the rarest in ~2 % of the documents) they are
-- estimated within 0.7–1.0 of the truth; the count's CPU did not grow, ANALYZE reads 90 000
-- rows instead of 30 000 (6.4 s at 1 000 000). ANALYZE here so the estimates change now, not
-- at the next autoanalyze.

-- migrate:up

alter table "documents" alter column "search_vector" set statistics 300;
analyze "documents" ("search_vector");

-- migrate:down

alter table "documents" alter column "search_vector" set statistics -1;
analyze "documents" ("search_vector");
