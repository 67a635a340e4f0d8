-- Sample data for two customers, for trying the example by hand (strata tenancy test makes its own):
--   strata psql -- -f sample-data.sql
-- The tables force Row-Level Security on their owner too, so the rows go in as the administrator
-- role, for this transaction only (SET LOCAL ROLE; the owner is a member). A data migration that
-- touches every tenant's rows does the same.
BEGIN;
SET LOCAL ROLE hosterizer_tenant_admin;

INSERT INTO users (id, email, password_hash, role) VALUES
  (1, 'ops@acme.example', '$2a$10$sample', 'customer'),
  (2, 'it@globex.example', '$2a$10$sample', 'customer'),
  (3, 'admin@hosterizer.example', '$2a$10$sample', 'administrator');

INSERT INTO customers (id, owner_user_id, name, tier) VALUES
  (1, 1, 'Acme', 'premium'),
  (2, 2, 'Globex', 'standard');

INSERT INTO sites (id, customer_id, name, domain, cloud_provider, region, status) VALUES
  (1, 1, 'acme-shop', 'shop.acme.example', 'aws', 'eu-west-1', 'active'),
  (2, 1, 'acme-blog', 'blog.acme.example', 'gcp', 'europe-west1', 'active'),
  (3, 2, 'globex-store', 'store.globex.example', 'azure', 'westeurope', 'deploying');

INSERT INTO deployments (site_id, status, started_at, completed_at) VALUES
  (1, 'succeeded', now() - interval '2 days', now() - interval '2 days' + interval '4 minutes'),
  (2, 'succeeded', now() - interval '1 day', now() - interval '1 day' + interval '3 minutes'),
  (3, 'applying', now() - interval '5 minutes', NULL);

INSERT INTO ecommerce_integrations (site_id, platform, encrypted_credentials) VALUES
  (1, 'shopify', '\x00'),
  (3, 'woocommerce', '\x00');

INSERT INTO cost_records (site_id, customer_id, cost_date, total_cost) VALUES
  (1, 1, current_date - 1, 12.5),
  (2, 1, current_date - 1, 3.2),
  (3, 2, current_date - 1, 8.75);

COMMIT;

-- Explicit ids above: move the sequences past them (as the owner, who owns the sequences).
SELECT setval('users_id_seq', 3), setval('customers_id_seq', 2), setval('sites_id_seq', 3);
