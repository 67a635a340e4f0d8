-- Reverts the tenant isolation migration of strata tenancy plan.

-- public.enrollments
drop policy if exists strata_tenant_isolation on public.enrollments;
alter table public.enrollments no force row level security;
alter table public.enrollments disable row level security;

-- public.users
drop policy if exists strata_tenant_isolation on public.users;
alter table public.users no force row level security;
alter table public.users disable row level security;

-- public.institutions
drop policy if exists strata_tenant_isolation on public.institutions;
alter table public.institutions no force row level security;
alter table public.institutions disable row level security;

-- public.documents
drop policy if exists strata_tenant_isolation on public.documents;
alter table public.documents no force row level security;
alter table public.documents disable row level security;

-- public.courses
drop policy if exists strata_tenant_isolation on public.courses;
alter table public.courses no force row level security;
alter table public.courses disable row level security;
