-- strata:no-transaction
DROP INDEX CONCURRENTLY IF EXISTS idx_sites_provider_region;
