package dev.strata.ops.backup;

import dev.strata.core.StrataException;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Logical dumps for selective restores: {@code pg_dump -Fc} (compressed) of a database, some tables
 * or schemas, into {@code dumps/} of the repository folder, encrypted with the repository's
 * passphrase (openssl aes-256-cbc, PBKDF2) when the repository is; and their restore into a new
 * database of the running stack, never over the one dumped.
 */
public final class Dumps {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  private static final String PASS_ENV = "STRATA_DUMP_PASS";

  private final ComponentContext context;
  private final PgBackRest engine;

  public Dumps(ComponentContext context) {
    this.context = context;
    this.engine = new PgBackRest(context);
  }

  /** {@code dumps/} in the repository folder. */
  public Path dir() {
    return engine.repository().resolve("dumps");
  }

  /**
   * Dumps {@code database} (only {@code tables} / {@code schemas} when given).
   *
   * @return the dump file ({@code .dump}, or {@code .dump.enc} when encrypted)
   */
  public Path dump(String database, List<String> tables, List<String> schemas) {
    engine.prepare();
    ConfigFiles.createDirectories(dir());
    context.runAs().give(dir());
    String name = database + "-" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP);
    Path plain = dir().resolve(name + ".dump");
    List<String> command = new ArrayList<>(superuser("pg_dump"));
    command.addAll(List.of("-Fc", "-Z", "6", "-f", plain.toString()));
    tables.forEach(t -> command.addAll(List.of("-t", t)));
    schemas.forEach(s -> command.addAll(List.of("-n", s)));
    command.add(database);
    Exec.Result r =
        context.runAs().exec(command.toArray(String[]::new)).timeout(Duration.ofHours(6)).run();
    if (!r.ok()) {
      deleteQuietly(plain);
      throw StrataException.failed(
          "pg_dump of " + database + " failed: " + r.describeFailure(),
          "check the table and schema names (strata psql -- -c '\\dt')",
          null);
    }
    if (!context.spec().backup().encryption()) {
      return plain;
    }
    Path encrypted = dir().resolve(name + ".dump.enc");
    openssl("-e", plain, encrypted);
    deleteQuietly(plain);
    return encrypted;
  }

  /**
   * Restores a dump (only {@code tables} when given) into a new database of the stack, owned by
   * {@code database}'s owner role.
   *
   * @return the new database's name
   */
  public String restore(Path file, String database, List<String> tables) {
    if (!Files.isRegularFile(file)) {
      throw StrataException.badInput("no dump " + file, "name a file strata dump wrote");
    }
    Path plain = file;
    boolean decrypted = file.getFileName().toString().endsWith(".enc");
    if (decrypted) {
      plain = dir().resolve(".restore-" + System.nanoTime() + ".dump");
      openssl("-d", file, plain);
      context.runAs().give(plain);
    }
    String target = database + "_restored_" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP);
    target = target.replace('-', '_');
    String owner = context.spec().security().ownerRole(database);
    try {
      Heartbeat.run(
          context,
          context.socketDir(),
          context.postgresPrimary().port(),
          "CREATE DATABASE \"" + target + "\" OWNER \"" + owner.replace("\"", "\"\"") + "\"");
      List<String> command = new ArrayList<>(superuser("pg_restore"));
      command.addAll(List.of("--no-owner", "--role=" + owner, "-d", target));
      tables.forEach(t -> command.addAll(List.of("-t", t)));
      command.add(plain.toString());
      Exec.Result r =
          context.runAs().exec(command.toArray(String[]::new)).timeout(Duration.ofHours(6)).run();
      if (!r.ok()) {
        throw StrataException.failed(
            "pg_restore into " + target + " failed: " + r.describeFailure(),
            "the new database " + target + " is left for inspection; drop it when done",
            null);
      }
      return target;
    } finally {
      if (decrypted) {
        deleteQuietly(plain);
      }
    }
  }

  private List<String> superuser(String program) {
    return List.of(
        context.tools().pgBinDir().resolve(program).toString(),
        "-h",
        context.socketDir().toString(),
        "-p",
        Integer.toString(context.postgresPrimary().port()),
        "-U",
        context.runAs().user());
  }

  /** Encrypts ({@code -e}) or decrypts ({@code -d}) with the repository's passphrase. */
  void openssl(String mode, Path in, Path out) {
    Exec.Result r =
        Exec.of(
                context.tools().openssl().toString(),
                "enc",
                mode,
                "-aes-256-cbc",
                "-pbkdf2",
                "-iter",
                "100000",
                "-salt",
                "-in",
                in.toString(),
                "-out",
                out.toString(),
                "-pass",
                "env:" + PASS_ENV)
            .env(PASS_ENV, context.secrets().require(PgBackRest.CIPHER_SECRET))
            .timeout(Duration.ofHours(2))
            .run();
    if (!r.ok()) {
      deleteQuietly(out);
      throw StrataException.failed(
          (mode.equals("-d") ? "decrypting " : "encrypting ")
              + in
              + " failed: "
              + r.output().strip(),
          mode.equals("-d")
              ? "the dump was encrypted with another passphrase than pgbackrest.cipher in"
                  + " .strata/secrets"
              : "",
          null);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // The caller's outcome matters more than a temporary file.
    }
  }
}
