CREATE TABLE sites (
    id              BIGSERIAL PRIMARY KEY,
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    name            TEXT NOT NULL,
    domain          TEXT NOT NULL,
    cloud_provider  TEXT NOT NULL CHECK (cloud_provider IN ('aws', 'azure', 'gcp', 'digitalocean', 'akamai')),
    region          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'deploying', 'active', 'failed', 'deleting', 'deleted')),
    config          JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at      TIMESTAMPTZ
);

-- Soft delete: a domain is unique among the sites that are not deleted.
CREATE UNIQUE INDEX idx_sites_domain_live ON sites (domain) WHERE deleted_at IS NULL;
CREATE INDEX idx_sites_customer_id ON sites (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_sites_status ON sites (status);
CREATE INDEX idx_sites_config ON sites USING GIN (config);

CREATE TRIGGER update_sites_updated_at BEFORE UPDATE ON sites
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
