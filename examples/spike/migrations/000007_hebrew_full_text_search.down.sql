DROP INDEX idx_documents_trgm;
DROP INDEX idx_documents_search;
ALTER TABLE documents DROP COLUMN search;
DROP FUNCTION hebrew_normalize(text);
