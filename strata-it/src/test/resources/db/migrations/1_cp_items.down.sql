DROP TABLE cp_items;
