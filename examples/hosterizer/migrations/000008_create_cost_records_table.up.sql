CREATE TABLE cost_records (
    id              BIGSERIAL PRIMARY KEY,
    site_id         BIGINT NOT NULL REFERENCES sites (id),
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    cost_date       DATE NOT NULL,
    total_cost      NUMERIC(12, 4) NOT NULL DEFAULT 0,
    currency        CHAR(3) NOT NULL DEFAULT 'USD',
    cost_breakdown  JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_cost_records_site_date UNIQUE (site_id, cost_date)
);

CREATE INDEX idx_cost_records_customer_date ON cost_records (customer_id, cost_date DESC);

CREATE TRIGGER update_cost_records_updated_at BEFORE UPDATE ON cost_records
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
