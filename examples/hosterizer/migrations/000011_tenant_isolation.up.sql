-- Tenant isolation by Row-Level Security, written by `strata tenancy plan`.
-- A row is visible and writable only when app.current_customer_id holds its tenant (a child's: its parent's),
-- or the current role is hosterizer_tenant_admin (SET LOCAL ROLE; granted explicitly); with neither, nothing is
-- (fail closed). Set the tenant per transaction with set_config(name, value, true),
-- e.g. through strata-jdbc's TenantDataSource or Tenancy.inTenant.

-- public.customers
alter table public.customers enable row level security;
alter table public.customers force row level security;
create policy strata_tenant_isolation on public.customers
  for all to public
  using (id between (select case when current_user = 'hosterizer_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_user = 'hosterizer_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end))
  with check (id between (select case when current_user = 'hosterizer_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_user = 'hosterizer_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end));

-- public.sites
alter table public.sites enable row level security;
alter table public.sites force row level security;
create policy strata_tenant_isolation on public.sites
  for all to public
  using (customer_id between (select case when current_user = 'hosterizer_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_user = 'hosterizer_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end))
  with check (customer_id between (select case when current_user = 'hosterizer_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_user = 'hosterizer_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end));

-- public.cost_records
alter table public.cost_records enable row level security;
alter table public.cost_records force row level security;
create policy strata_tenant_isolation on public.cost_records
  for all to public
  using (customer_id between (select case when current_user = 'hosterizer_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_user = 'hosterizer_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end))
  with check (customer_id between (select case when current_user = 'hosterizer_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_user = 'hosterizer_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
    and (site_id is null or site_id = any (array(select p.id from public.sites p))));

-- public.deployments (through sites)
alter table public.deployments enable row level security;
alter table public.deployments force row level security;
create policy strata_tenant_isolation on public.deployments
  for all to public
  using (site_id = any (array(select p.id from public.sites p)))
  with check (site_id = any (array(select p.id from public.sites p)));

-- public.ecommerce_integrations (through sites)
alter table public.ecommerce_integrations enable row level security;
alter table public.ecommerce_integrations force row level security;
create policy strata_tenant_isolation on public.ecommerce_integrations
  for all to public
  using (site_id = any (array(select p.id from public.sites p)))
  with check (site_id = any (array(select p.id from public.sites p)));

-- the administrator role: the application's privileges, every tenant's rows
grant usage on schema public to hosterizer_tenant_admin;
grant select, insert, update, delete on all tables in schema public to hosterizer_tenant_admin;
grant usage, select on all sequences in schema public to hosterizer_tenant_admin;
alter default privileges in schema public grant select, insert, update, delete on tables to hosterizer_tenant_admin;
alter default privileges in schema public grant usage, select on sequences to hosterizer_tenant_admin;
