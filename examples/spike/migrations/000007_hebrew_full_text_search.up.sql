-- Full-text search for Hebrew content. PostgreSQL ships no Hebrew dictionary or stemmer, and
-- unaccent's rules have no Hebrew marks, so:
-- 1. hebrew_normalize() removes niqqud and cantillation (U+0591..U+05C7, except the maqaf and
--    the sof pasuq) and folds the five final letters (ך ם ן ף ץ) to their ordinary forms, so that
--    "סֵפֶר" finds "ספר" and a word cut before its last letter still matches;
-- 2. the `simple` configuration splits on word boundaries and lower-cases (the C.UTF-8 locale
--    Strata's initdb uses classes Hebrew letters as letters), with no stemming and no stop words,
--    so a Hebrew word is found as written; documents.search is a stored tsvector with a GIN index;
-- 3. Hebrew glues prefixes to words (ה the, ו and, ב in, ל to, מ from, ש that, כ as: "בספרייה"
--    is "in the library"), which whole-word search misses: a pg_trgm GIN index on the normalized
--    text answers substring queries (ILIKE '%ספרייה%') and similarity (%) with an index scan.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION hebrew_normalize(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(regexp_replace(t, '[\u0591-\u05BD\u05BF-\u05C2\u05C4\u05C5\u05C7]', '', 'g'),
                     'ךםןףץ', 'כמנפצ');

ALTER TABLE documents
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', hebrew_normalize(title)), 'A') ||
        setweight(to_tsvector('simple', hebrew_normalize(body)), 'B')) STORED;

CREATE INDEX idx_documents_search ON documents USING GIN (search);
CREATE INDEX idx_documents_trgm ON documents
    USING GIN (hebrew_normalize(title || ' ' || body) gin_trgm_ops);
