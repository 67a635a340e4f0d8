CREATE TABLE cp_items (id bigint PRIMARY KEY);
