package dev.strata.cli;

import dev.strata.core.StrataException;
import dev.strata.core.env.PgEndpoint;
import dev.strata.core.spec.MigrationsSpec;
import dev.strata.jdbc.migrate.MigrationLocation;
import dev.strata.jdbc.migrate.MigrationStep;
import dev.strata.jdbc.migrate.Migrator;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

/**
 * The options every {@code strata migrate} subcommand shares: which database ({@code --url}, or the
 * stack's direct URL as the owner role) and whether changed files may run.
 */
final class MigrateTarget {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description = {
        "Any PostgreSQL, e.g. postgresql://user:pass@host:5432/db?sslmode=require",
        "(password also from PGPASSWORD). Default: the stack's DIRECT_URL (owner role)."
      })
  String url;

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      description = "The stack's database (default: the first in postgres.databases).")
  String database;

  @Option(
      names = "--strict",
      description =
          "Treat a database ahead of the files (a version applied that no file has) as an error"
              + " instead of a warning.")
  boolean strict;

  /** A database to migrate, as pgjdbc and as libpq (pg_dump) reach it. */
  record Database(PGSimpleDataSource dataSource, String libpqUrl, String password, String name) {}

  Database resolve(Workspace workspace) {
    if (url == null) {
      String db = workspace.database(database);
      PgEndpoint direct = workspace.stack().env(db).direct();
      return new Database(
          dataSource(direct.jdbcUrl(), direct.user(), direct.password()),
          direct.urlWithoutPassword(),
          direct.password(),
          db);
    }
    if (database != null) {
      throw StrataException.badInput(
          "--database and --url both say which database to migrate", "give one of them");
    }
    return fromUrl(url, workspace);
  }

  private static Database fromUrl(String url, Workspace workspace) {
    String text = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
    URI uri;
    try {
      uri = URI.create(text.replaceFirst("^postgres://", "postgresql://"));
    } catch (IllegalArgumentException e) {
      throw badUrl(url, e.getMessage());
    }
    if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null) {
      throw badUrl(url, "expected postgresql://user:password@host:port/database");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
    if (path.isEmpty()) {
      throw badUrl(url, "it names no database");
    }
    String user = null;
    String password = System.getenv("PGPASSWORD");
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      if (parts.length > 1) {
        password = decode(parts[1]);
      }
    }
    if (user == null) {
      user = System.getenv().getOrDefault("PGUSER", System.getProperty("user.name"));
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    refuseStackPooler(port, uri.getHost(), workspace);
    Migrator.refusePooledUrl(url);
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    String jdbcUrl = "jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + path + query;
    String libpq =
        "postgresql://"
            + URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20")
            + "@"
            + uri.getHost()
            + ":"
            + port
            + "/"
            + path
            + query;
    return new Database(
        dataSource(jdbcUrl, user, password == null ? "" : password),
        libpq,
        password == null ? "" : password,
        decode(path));
  }

  /** The stack's own PgBouncer port is a pooler whatever its number. */
  private static void refuseStackPooler(int port, String host, Workspace workspace) {
    int poolerPort;
    try {
      poolerPort = workspace.stack().env().pooled().port();
    } catch (RuntimeException e) {
      return;
    }
    if (port == poolerPort && (host.equals("localhost") || host.startsWith("127."))) {
      throw StrataException.badInput(
          "migrations need a direct connection to PostgreSQL, and port "
              + port
              + " is this stack's PgBouncer (transaction pooling loses the migration lock and"
              + " session settings between transactions)",
          "use DIRECT_URL from `strata env`, or leave out --url");
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static StrataException badUrl(String url, String why) {
    return StrataException.badInput(
        "--url " + url.replaceAll(":[^:@/]*@", ":<masked>@") + " is not a PostgreSQL URL: " + why,
        "give postgresql://user:password@host:port/database (or a jdbc:postgresql:// URL)");
  }

  private static PGSimpleDataSource dataSource(String jdbcUrl, String user, String password) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(jdbcUrl);
    ds.setUser(user);
    ds.setPassword(password);
    ds.setApplicationName("strata migrate");
    return ds;
  }

  /**
   * The migrations folder of {@code workspace}: {@code migrations.dir}, relative to strata.yaml.
   */
  static Path folder(Workspace workspace) {
    return workspace.dir().resolve(workspace.spec().migrations().dir()).normalize();
  }

  /** A migrator for the database this command targets. */
  Migrator migrator(Workspace workspace, Consumer<MigrationStep> onStep) {
    return migrator(workspace, resolve(workspace), onStep);
  }

  Migrator migrator(Workspace workspace, Database db, Consumer<MigrationStep> onStep) {
    MigrationsSpec spec = workspace.spec().migrations();
    return Migrator.builder(db.dataSource(), MigrationLocation.folder(folder(workspace)))
        .lockTimeout(spec.lockTimeout())
        .statementTimeout(spec.statementTimeout())
        .strict(strict)
        .onStep(onStep)
        .build();
  }
}
