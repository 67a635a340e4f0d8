DELETE FROM partman.part_config
 WHERE parent_table IN ('public.user_events', 'public.performance_metrics');
DROP TABLE performance_metrics, user_events;
