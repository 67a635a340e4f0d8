-- Tenant isolation by Row-Level Security, written by `strata tenancy plan`.
-- A row is visible and writable only when app.current_customer_id holds its tenant, or app.current_user_role is 'administrator';
-- with neither set, nothing is (fail closed). Set them per transaction with
-- set_config(name, value, true), e.g. through strata-jdbc's Tenancy.inTenant.

-- public.customers
alter table public.customers enable row level security;
alter table public.customers force row level security;
create policy strata_tenant_isolation on public.customers
  for all to public
  using (id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end))
  with check (id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end));

-- public.sites
alter table public.sites enable row level security;
alter table public.sites force row level security;
create policy strata_tenant_isolation on public.sites
  for all to public
  using (customer_id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end))
  with check (customer_id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end));

-- public.deployments
alter table public.deployments enable row level security;
alter table public.deployments force row level security;
create policy strata_tenant_isolation on public.deployments
  for all to public
  using (customer_id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end))
  with check (customer_id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end));
create index if not exists deployments_customer_id_tenant_idx on public.deployments (customer_id);

-- public.ecommerce_integrations
alter table public.ecommerce_integrations enable row level security;
alter table public.ecommerce_integrations force row level security;
create policy strata_tenant_isolation on public.ecommerce_integrations
  for all to public
  using (customer_id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end))
  with check (customer_id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end));

-- public.cost_records
alter table public.cost_records enable row level security;
alter table public.cost_records force row level security;
create policy strata_tenant_isolation on public.cost_records
  for all to public
  using (customer_id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end))
  with check (customer_id between (select case when current_setting('app.current_user_role', true) = 'administrator' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end)
        and (select case when current_setting('app.current_user_role', true) = 'administrator' then '9223372036854775807'::bigint else nullif(current_setting('app.current_customer_id', true), '')::bigint end));
