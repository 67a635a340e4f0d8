-- strata:no-transaction
-- Reverts the tenant index migration of strata tenancy plan.
drop index concurrently if exists public.documents_institution_id_tenant_idx;
