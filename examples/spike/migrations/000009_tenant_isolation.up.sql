-- Tenant isolation by Row-Level Security, written by `strata tenancy plan`.
-- A row is visible and writable only when app.current_institution_id holds its tenant (a child's: its parent's),
-- or the current role is spike_tenant_admin (SET LOCAL ROLE; granted explicitly); with neither, nothing is
-- (fail closed). Set the tenant per transaction with set_config(name, value, true),
-- e.g. through strata-jdbc's TenantDataSource or Tenancy.inTenant.

-- public.courses
alter table public.courses enable row level security;
alter table public.courses force row level security;
create policy strata_tenant_isolation on public.courses
  for all to public
  using (institution_id between (select case when current_user = 'spike_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
        and (select case when current_user = 'spike_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end))
  with check (institution_id between (select case when current_user = 'spike_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
        and (select case when current_user = 'spike_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
    and (lecturer_id is null or lecturer_id = any (array(select p.id from public.users p))));

-- public.documents
alter table public.documents enable row level security;
alter table public.documents force row level security;
create policy strata_tenant_isolation on public.documents
  for all to public
  using (institution_id between (select case when current_user = 'spike_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
        and (select case when current_user = 'spike_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end))
  with check (institution_id between (select case when current_user = 'spike_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
        and (select case when current_user = 'spike_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
    and (course_id is null or course_id = any (array(select p.id from public.courses p))));

-- public.institutions
alter table public.institutions enable row level security;
alter table public.institutions force row level security;
create policy strata_tenant_isolation on public.institutions
  for all to public
  using (id between (select case when current_user = 'spike_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
        and (select case when current_user = 'spike_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end))
  with check (id between (select case when current_user = 'spike_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
        and (select case when current_user = 'spike_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end));

-- public.users
alter table public.users enable row level security;
alter table public.users force row level security;
create policy strata_tenant_isolation on public.users
  for all to public
  using (institution_id between (select case when current_user = 'spike_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
        and (select case when current_user = 'spike_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end))
  with check (institution_id between (select case when current_user = 'spike_tenant_admin' then '-9223372036854775808'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end)
        and (select case when current_user = 'spike_tenant_admin' then '9223372036854775807'::bigint else nullif(current_setting('app.current_institution_id', true), '')::bigint end));

-- public.enrollments (through courses)
alter table public.enrollments enable row level security;
alter table public.enrollments force row level security;
create policy strata_tenant_isolation on public.enrollments
  for all to public
  using (course_id = any (array(select p.id from public.courses p)))
  with check (course_id = any (array(select p.id from public.courses p))
    and (student_id is null or student_id = any (array(select p.id from public.users p))));

-- the administrator role: the application's privileges, every tenant's rows
grant usage on schema public to spike_tenant_admin;
grant select, insert, update, delete on all tables in schema public to spike_tenant_admin;
grant usage, select on all sequences in schema public to spike_tenant_admin;
alter default privileges in schema public grant select, insert, update, delete on tables to spike_tenant_admin;
alter default privileges in schema public grant usage, select on sequences to spike_tenant_admin;
