package dev.strata.ops.component;

import dev.strata.ops.pgbouncer.PgBouncerBinary;
import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Binaries.Program;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The machine's programs a stack runs, found (or, by {@code strata up}, installed) once. */
public record Tools(Path pgBinDir, Path pgbouncer, Path redisServer, Path redisCli, Path openssl) {

  /**
   * Finds every program.
   *
   * @param pgBinDir {@code postgres.bin_dir}, empty for auto
   * @param dataDir the PostgreSQL data directory: an existing cluster runs with its own major
   * @param install whether missing Debian packages are installed (when root) and a PgBouncer older
   *     than 1.21 is replaced by one built from Debian 13's source package (once per machine, see
   *     {@link PgBouncerBinary}): {@code up} only
   * @param progress receives the build's progress and warnings
   */
  public static Tools find(
      Optional<String> pgBinDir, Path dataDir, boolean install, Consumer<String> progress) {
    Path pg = Binaries.postgresBinDir(pgBinDir, Binaries.clusterMajor(dataDir), install);
    Map<String, Path> found =
        Binaries.require(
            List.of(
                new Program("pgbouncer", "pgbouncer"),
                new Program("redis-server", "redis-server"),
                new Program("redis-cli", "redis-tools"),
                new Program("openssl", "openssl")),
            install);
    return new Tools(
        pg,
        PgBouncerBinary.pick(found.get("pgbouncer"), install ? progress : null),
        found.get("redis-server"),
        found.get("redis-cli"),
        found.get("openssl"));
  }
}
