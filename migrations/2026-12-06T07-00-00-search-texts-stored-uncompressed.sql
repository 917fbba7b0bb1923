-- Search: documents' texts and search vectors stored out of line uncompressed (#19 item 5,
-- docs/adr/0027-search-texts-stored-uncompressed.md).
--
-- A search page's headlines read the text of each hit (its first 2 000 characters, and the
-- whole text when no query word starts in them: about half the hits of a broad word, the
-- longest documents), and the ranking reads search vectors. Stored compressed (pglz, the only
-- method every PostgreSQL build has), each read decompressed them: over the seeded 100 000
-- documents, 360 of the bench's best hits read whole in 35 ms, uncompressed in 9.5 ms; the
-- page's headlines took 16–18 % less CPU. The cost is space: the documents table with its TOAST
-- and indexes, 1 648 MB compressed, 2 403 MB uncompressed (+46 %).
--
-- Rows written from now on (an insert, or an update of the text) are stored uncompressed;
-- rows already stored stay compressed until their text is written again. Both read the same.

-- migrate:up

alter table "documents" alter column "extracted_text" set storage external;
alter table "documents" alter column "search_vector" set storage external;

-- migrate:down

alter table "documents" alter column "extracted_text" set storage extended;
alter table "documents" alter column "search_vector" set storage extended;
