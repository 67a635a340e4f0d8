-- Two users, an app and two forks of it, requirements and a monetization model: the rows the
-- seed's monthly restore test counts. Loaded with `strata psql -- -f sample-data.sql`.
INSERT INTO "User" (id, name, email, "updatedAt") VALUES
    ('u_ada', 'Ada', 'ada@spike.land', now()),
    ('u_lin', 'Lin', 'lin@spike.land', now());
INSERT INTO "App" (id, name, "userId", "forkedFrom", status, domain, "updatedAt") VALUES
    ('a_todo', 'Todo', 'u_ada', NULL, 'ACTIVE', 'todo.spike.land', now()),
    ('a_todo_dark', 'Todo (dark)', 'u_lin', 'a_todo', 'DRAFT', NULL, now()),
    ('a_todo_kanban', 'Todo kanban', 'u_ada', 'a_todo', 'ACTIVE', 'kanban.spike.land', now());
INSERT INTO "Requirement" (id, "appId", description, priority, "updatedAt") VALUES
    ('r_1', 'a_todo', 'Items can be reordered by dragging', 'HIGH', now()),
    ('r_2', 'a_todo_dark', 'A dark theme', 'LOW', now());
INSERT INTO "MonetizationModel" (id, "appId", type, price, "subscriptionInterval", features, "updatedAt") VALUES
    ('m_1', 'a_todo_kanban', 'SUBSCRIPTION', 4.99, 'MONTHLY', ARRAY['boards', 'sync'], now());
