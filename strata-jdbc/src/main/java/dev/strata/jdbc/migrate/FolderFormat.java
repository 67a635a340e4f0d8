package dev.strata.jdbc.migrate;

/** The migration tool whose folder layout and bookkeeping table a location uses. */
public enum FolderFormat {
  /** {@code 000001_name.up.sql} / {@code .down.sql}; {@code schema_migrations}. */
  GOLANG_MIGRATE("golang-migrate", "schema_migrations"),
  /**
   * {@code V1__name.sql}, {@code U1__name.sql}, {@code R__name.sql}; {@code flyway_schema_history}.
   */
  FLYWAY("Flyway", "flyway_schema_history"),
  /** {@code 20260101000000_name/migration.sql}; {@code _prisma_migrations}. */
  PRISMA("Prisma", "_prisma_migrations");

  private final String tool;
  private final String table;

  FolderFormat(String tool, String table) {
    this.tool = tool;
    this.table = table;
  }

  /** The tool's name, for messages. */
  public String tool() {
    return tool;
  }

  /** The table the tool (and Strata, for this format) records applied migrations in. */
  public String table() {
    return table;
  }
}
