package dev.strata.ops.postgres;

import dev.strata.core.env.PgEndpoint;
import dev.strata.ops.process.Exec;
import dev.strata.ops.process.RunAs;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The machine's psql: as the superuser over the Unix socket (bootstrap), or as a role through an
 * endpoint's URL (health checks, exactly as an application connects). Passwords go through the
 * environment, never the command line.
 */
public final class Psql {
  private final Path binary;

  public Psql(Path binDir) {
    this.binary = binDir.resolve("psql");
  }

  public Path binary() {
    return binary;
  }

  /** Runs {@code sql} as the superuser over the socket in {@code socketDir}. */
  public Exec superuser(RunAs runAs, Path socketDir, int port, String database, String sql) {
    return runAs
        .exec(
            binary.toString(),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            socketDir.toString(),
            "-p",
            Integer.toString(port),
            "-U",
            runAs.user(),
            "-d",
            database)
        .input(sql)
        .timeout(Duration.ofMinutes(5));
  }

  /** Runs {@code sql} through {@code endpoint} (its URL, TLS verify-full included). */
  public Exec through(PgEndpoint endpoint, String sql) {
    return Exec.of(
            binary.toString(),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
            endpoint.urlWithoutPassword())
        .env("PGPASSWORD", endpoint.password())
        .env("PGCONNECT_TIMEOUT", "5")
        .timeout(Duration.ofSeconds(30));
  }
}
