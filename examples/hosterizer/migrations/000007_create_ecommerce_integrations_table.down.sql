DROP TABLE IF EXISTS ecommerce_integrations;
