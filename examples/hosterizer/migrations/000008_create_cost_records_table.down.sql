DROP TABLE IF EXISTS cost_records;
