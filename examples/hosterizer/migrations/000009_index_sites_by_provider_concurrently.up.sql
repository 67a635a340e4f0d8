-- strata:no-transaction
-- Built without blocking writes to sites, as on a live database.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_sites_provider_region ON sites (cloud_provider, region);
