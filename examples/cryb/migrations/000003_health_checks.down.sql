DROP FUNCTION check_performance_alerts();
DROP FUNCTION check_replication_lag_alert(double precision);
DROP VIEW replication_health;
