CREATE TABLE customers (
    id                  BIGSERIAL PRIMARY KEY,
    owner_user_id       BIGINT NOT NULL REFERENCES users (id),
    name                TEXT NOT NULL,
    tier                TEXT NOT NULL DEFAULT 'standard' CHECK (tier IN ('standard', 'premium')),
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    white_label_config  JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_customers_owner_user_id ON customers (owner_user_id);
CREATE INDEX idx_customers_status ON customers (status);

CREATE TRIGGER update_customers_updated_at BEFORE UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
