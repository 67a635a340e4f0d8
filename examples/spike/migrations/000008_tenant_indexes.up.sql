-- strata:no-transaction
-- Indexes on the tenant policy columns, built without blocking writes.
create index concurrently if not exists documents_institution_id_tenant_idx on public.documents (institution_id);
