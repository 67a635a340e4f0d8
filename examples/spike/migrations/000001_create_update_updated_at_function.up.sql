-- Every table keeps updated_at current, as the seed's Prisma models do with @updatedAt.
CREATE FUNCTION update_updated_at_column() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;
