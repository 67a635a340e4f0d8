CREATE TABLE ecommerce_integrations (
    id                     BIGSERIAL PRIMARY KEY,
    site_id                BIGINT REFERENCES sites (id),
    platform               TEXT NOT NULL CHECK (platform IN ('shopify', 'woocommerce', 'bigcommerce')),
    -- Encrypted by the application before it is stored; never plaintext.
    encrypted_credentials  BYTEA NOT NULL,
    status                 TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'error', 'disabled')),
    settings               JSONB NOT NULL DEFAULT '{}'::jsonb,
    last_sync_at           TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_ecommerce_integrations_site_id ON ecommerce_integrations (site_id);

CREATE TRIGGER update_ecommerce_integrations_updated_at BEFORE UPDATE ON ecommerce_integrations
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
