-- strata:no-transaction
-- Indexes on the tenant policy columns, built without blocking writes.
create index concurrently if not exists sites_customer_id_tenant_idx on public.sites (customer_id);
