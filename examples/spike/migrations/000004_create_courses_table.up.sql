CREATE TABLE courses (
    id              BIGSERIAL PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    code            TEXT NOT NULL,
    title           TEXT NOT NULL,
    semester        TEXT NOT NULL,
    lecturer_id     BIGINT REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (institution_id, code, semester)
);

CREATE INDEX idx_courses_lecturer_id ON courses (lecturer_id);

CREATE TRIGGER update_courses_updated_at BEFORE UPDATE ON courses
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
