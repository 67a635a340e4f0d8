CREATE TABLE deployments (
    id                BIGSERIAL PRIMARY KEY,
    site_id           BIGINT NOT NULL REFERENCES sites (id),
    status            TEXT NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'planning', 'applying', 'succeeded', 'failed')),
    terraform_plan    TEXT,
    terraform_output  JSONB,
    error_message     TEXT,
    started_at        TIMESTAMPTZ,
    completed_at      TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_deployments_site_id_created_at ON deployments (site_id, created_at DESC);
CREATE INDEX idx_deployments_status ON deployments (status);

CREATE TRIGGER update_deployments_updated_at BEFORE UPDATE ON deployments
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
