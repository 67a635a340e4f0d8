-- The seed's health-check SQL (SELECT * FROM replication_health; check_replication_lag_alert();
-- check_performance_alerts()). strata status and strata monitor report the same, and the alert
-- rules page on it; these stay for a psql session. security_invoker: the caller's privileges
-- decide what pg_stat_replication shows (strata_monitor, a pg_monitor member, sees the lag).
CREATE VIEW replication_health WITH (security_invoker = true) AS
SELECT application_name AS replica,
       state,
       sync_state,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS lag_bytes,
       coalesce(extract(epoch FROM replay_lag), 0) AS lag_seconds
  FROM pg_stat_replication;

CREATE FUNCTION check_replication_lag_alert(max_lag_seconds double precision DEFAULT 10)
RETURNS TABLE (replica text, lag_seconds double precision, alert boolean)
LANGUAGE sql STABLE AS $$
  SELECT replica, lag_seconds, lag_seconds > max_lag_seconds FROM replication_health
$$;

CREATE FUNCTION check_performance_alerts()
RETURNS TABLE (check_name text, value double precision, alert boolean)
LANGUAGE sql STABLE AS $$
  SELECT 'cache_hit_ratio',
         round(100.0 * sum(blks_hit) / nullif(sum(blks_hit) + sum(blks_read), 0), 2)::float8,
         coalesce(100.0 * sum(blks_hit) / nullif(sum(blks_hit) + sum(blks_read), 0) < 98, false)
    FROM pg_stat_database
  UNION ALL
  SELECT 'long_running_queries', count(*)::float8, count(*) > 0
    FROM pg_stat_activity
   WHERE state <> 'idle' AND now() - query_start > interval '2 minutes'
  UNION ALL
  SELECT 'connections_percent',
         round(100.0 * (SELECT count(*) FROM pg_stat_activity)
               / current_setting('max_connections')::int, 2)::float8,
         (SELECT count(*) FROM pg_stat_activity) > 0.8 * current_setting('max_connections')::int
$$;
