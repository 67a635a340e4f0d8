DROP TABLE audit_log, sessions, workflow_runs, documents, projects, users;
DROP FUNCTION set_updated_at();
