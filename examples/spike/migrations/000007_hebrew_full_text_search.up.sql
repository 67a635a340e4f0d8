-- Full-text search for Hebrew content. PostgreSQL ships no Hebrew dictionary or stemmer, and
-- unaccent's rules have no Hebrew marks, so:
-- 1. hebrew_normalize() removes niqqud and cantillation (U+0591..U+05C7, except the maqaf and
--    the sof pasuq), so that "סֵפֶר" finds "ספר"; removes the geresh and gershayim (U+05F3,
--    U+05F4, and the ASCII ' and " typed for them between two letters), so that an acronym such as
--    צה"ל (or צה״ל) is one word, "צהל", not the two words "צה" and "ל"; and folds the five final
--    letters (ך ם ן ף ץ) to their ordinary forms. The folding matters for the substring search
--    (3. below): a stem typed with its final letter, "מלך" (king), then matches its inflected
--    forms, "מלכים" (kings), whose כ is not final; for whole words it changes nothing;
-- 2. the `simple` configuration splits on word boundaries and lower-cases (the C.UTF-8 locale
--    Strata's initdb uses classes Hebrew letters as letters), with no stemming and no stop words,
--    so a Hebrew word is found as written; documents.search is a stored tsvector with a GIN index;
-- 3. Hebrew glues prefixes to words (ה the, ו and, ב in, ל to, מ from, ש that, כ as: "בספרייה"
--    is "in the library"), which whole-word search misses: a pg_trgm GIN index on the normalized
--    text answers substring queries (ILIKE '%ספרייה%') and similarity (%) with an index scan.
--    A query of one or two letters has no trigram: the index cannot narrow it.
-- Under Row-Level Security neither GIN index serves the application's roles: @@ and ILIKE are
-- not LEAKPROOF, so PostgreSQL filters with them after the tenant policy (the tenant index
-- narrows the rows, the search filters them); see the README.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION hebrew_normalize(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(
        regexp_replace(
            regexp_replace(t, '[\u0591-\u05BD\u05BF-\u05C2\u05C4\u05C5\u05C7\u05F3\u05F4]', '', 'g'),
            '([\u05D0-\u05EA])[''"]+(?=[\u05D0-\u05EA])', '\1', 'g'),
        'ךםןףץ', 'כמנפצ');

ALTER TABLE documents
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', hebrew_normalize(title)), 'A') ||
        setweight(to_tsvector('simple', hebrew_normalize(body)), 'B')) STORED;

CREATE INDEX idx_documents_search ON documents USING GIN (search);
CREATE INDEX idx_documents_trgm ON documents
    USING GIN (hebrew_normalize(title || ' ' || body) gin_trgm_ops);
