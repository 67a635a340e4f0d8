package dev.strata.ops.stack;

import dev.strata.ops.pgbouncer.PgBouncerBinary;
import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Binaries.Program;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The machine's programs a stack runs, found (or installed) once. */
public record Tools(Path pgBinDir, Path pgbouncer, Path redisServer, Path redisCli, Path openssl) {

  /**
   * Finds every program, installing missing Debian packages when root.
   *
   * @param pgBinDir {@code postgres.bin_dir}, empty for the newest installed
   */
  public static Tools find(Optional<String> pgBinDir) {
    return find(pgBinDir, null);
  }

  /**
   * The same, for {@code strata up}: PgBouncer older than 1.21 is replaced by one built from Debian
   * 13's source package (once per machine), see {@link PgBouncerBinary}.
   *
   * @param upProgress receives the build's progress and warnings; {@code null} never builds
   */
  public static Tools find(Optional<String> pgBinDir, Consumer<String> upProgress) {
    Path pg = Binaries.postgresBinDir(pgBinDir);
    Map<String, Path> found =
        Binaries.require(
            List.of(
                new Program("pgbouncer", "pgbouncer"),
                new Program("redis-server", "redis-server"),
                new Program("redis-cli", "redis-tools"),
                new Program("openssl", "openssl")));
    return new Tools(
        pg,
        PgBouncerBinary.pick(found.get("pgbouncer"), upProgress),
        found.get("redis-server"),
        found.get("redis-cli"),
        found.get("openssl"));
  }
}
