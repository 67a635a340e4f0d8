-- The seed's TimescaleDB analytics (user behaviour, platform performance), as tables partitioned
-- by time and kept by pg_partman: a partition a day, 4 made ahead, those older than the retention
-- dropped by partman.run_maintenance() (its background worker runs it every hour).
CREATE TABLE user_events (
  user_id     bigint NOT NULL,
  event       text NOT NULL,
  target_id   bigint,
  properties  jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (occurred_at);
CREATE INDEX user_events_user_idx ON user_events (user_id, occurred_at DESC);

CREATE TABLE performance_metrics (
  metric      text NOT NULL,
  value       double precision NOT NULL,
  labels      jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (recorded_at);
CREATE INDEX performance_metrics_metric_idx ON performance_metrics (metric, recorded_at DESC);

SELECT partman.create_parent('public.user_events', 'occurred_at', 'native', 'daily',
                             p_premake := 4, p_start_partition := (now() - interval '3 days')::text);
SELECT partman.create_parent('public.performance_metrics', 'recorded_at', 'native', 'daily',
                             p_premake := 4, p_start_partition := (now() - interval '3 days')::text);
-- Retention: user events 90 days, performance metrics 30; partitions past it are dropped.
UPDATE partman.part_config
   SET retention = CASE parent_table WHEN 'public.user_events' THEN '90 days' ELSE '30 days' END,
       retention_keep_table = false,
       infinite_time_partitions = true
 WHERE parent_table IN ('public.user_events', 'public.performance_metrics');
