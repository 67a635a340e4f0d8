-- strata:no-transaction
-- Reverts the tenant index migration of strata tenancy plan.
drop index concurrently if exists public.sites_customer_id_tenant_idx;
