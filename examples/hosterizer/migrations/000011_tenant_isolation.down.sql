-- Reverts the tenant isolation migration of strata tenancy plan.

-- public.ecommerce_integrations
drop policy if exists strata_tenant_isolation on public.ecommerce_integrations;
alter table public.ecommerce_integrations no force row level security;
alter table public.ecommerce_integrations disable row level security;

-- public.deployments
drop policy if exists strata_tenant_isolation on public.deployments;
alter table public.deployments no force row level security;
alter table public.deployments disable row level security;

-- public.cost_records
drop policy if exists strata_tenant_isolation on public.cost_records;
alter table public.cost_records no force row level security;
alter table public.cost_records disable row level security;

-- public.sites
drop policy if exists strata_tenant_isolation on public.sites;
alter table public.sites no force row level security;
alter table public.sites disable row level security;

-- public.customers
drop policy if exists strata_tenant_isolation on public.customers;
alter table public.customers no force row level security;
alter table public.customers disable row level security;
