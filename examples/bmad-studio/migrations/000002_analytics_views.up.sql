-- What the seed's analytics and reporting read on the replica (READ_DATABASE_URL).
CREATE VIEW project_activity AS
SELECT p.id AS project_id,
       p.name,
       count(DISTINCT d.id) AS documents,
       count(DISTINCT w.id) AS workflow_runs,
       coalesce(sum(w.tokens_used), 0) AS tokens_used,
       max(w.started_at) AS last_run_at
  FROM projects p
  LEFT JOIN documents d ON d.project_id = p.id
  LEFT JOIN workflow_runs w ON w.project_id = p.id
 GROUP BY p.id, p.name;
