-- A student in a course: no institution column of its own, it belongs to its course's institution
-- (isolated through courses: tenancy.through in strata.yaml).
CREATE TABLE enrollments (
    id          BIGSERIAL PRIMARY KEY,
    course_id   BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    student_id  BIGINT NOT NULL REFERENCES users (id),
    grade       NUMERIC(5, 2) CHECK (grade BETWEEN 0 AND 100),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (course_id, student_id)
);

CREATE INDEX idx_enrollments_student_id ON enrollments (student_id);

CREATE TRIGGER update_enrollments_updated_at BEFORE UPDATE ON enrollments
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
