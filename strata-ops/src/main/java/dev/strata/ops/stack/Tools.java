package dev.strata.ops.stack;

import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Binaries.Program;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The machine's programs a stack runs, found (or installed) once. */
public record Tools(Path pgBinDir, Path pgbouncer, Path redisServer, Path redisCli, Path openssl) {

  /**
   * Finds every program, installing missing Debian packages when root.
   *
   * @param pgBinDir {@code postgres.bin_dir}, empty for the newest installed
   */
  public static Tools find(Optional<String> pgBinDir) {
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
        found.get("pgbouncer"),
        found.get("redis-server"),
        found.get("redis-cli"),
        found.get("openssl"));
  }
}
