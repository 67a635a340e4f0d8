package dev.strata.jdbc.migrate;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The file-naming rules, shared by everything that reads or writes migration files:
 * golang-migrate's {@code {version}_{title}.up.sql} and {@code .down.sql}, the version any positive
 * integer (sequence numbers such as {@code 000001} or timestamps such as {@code 20261126140000}),
 * ordered numerically.
 *
 * <p>{@link #next(Path, String)} writes the next pair of files in the folder's own style, for
 * {@code strata migrate create} and for tools that generate migrations.
 */
public final class MigrationFiles {
  /** {@code 000001_create_users.up.sql}: version, title, direction. */
  public static final Pattern NAME = Pattern.compile("(\\d+)_(.+)\\.(up|down)\\.sql");

  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
  private static final int DEFAULT_WIDTH = 6;

  private MigrationFiles() {}

  /** A file name taken apart. */
  public record FileName(long version, String versionText, String title, boolean up) {}

  /** The parts of {@code fileName}, or empty when it is not a migration file name. */
  public static Optional<FileName> parse(String fileName) {
    Matcher m = NAME.matcher(fileName);
    if (!m.matches()) {
      return Optional.empty();
    }
    long version;
    try {
      version = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(new FileName(version, m.group(1), m.group(2), m.group(3).equals("up")));
  }

  /**
   * Pairs the named files into migrations, ordered by version. Names that are not migration files
   * ({@code README.md}) are ignored.
   *
   * @param read the bytes of a file, by name
   * @param where the folder, for messages
   * @throws StrataException when two files share a version and direction, a version has two titles,
   *     or a down file has no up file
   */
  public static List<Migration> pair(List<String> fileNames, FileReader read, String where) {
    return pairGolang(fileNames.stream().filter(n -> parse(n).isPresent()).toList(), read, where);
  }

  /** Flyway: {@code V1__name.sql} (and {@code U1__} undo); version, kind, description. */
  static final Pattern FLYWAY = Pattern.compile("([VU])(\\d+(?:[._]\\d+)*)__(.+)\\.sql");

  /** Flyway repeatable: {@code R__name.sql}. */
  static final Pattern FLYWAY_REPEATABLE = Pattern.compile("R__(.+)\\.sql");

  /** Prisma: {@code 20260101000000_name/migration.sql}, and Strata's optional {@code down.sql}. */
  static final Pattern PRISMA = Pattern.compile("(\\d+)_([^/]+)/(migration|down)\\.sql");

  /**
   * Reads a location's files in the format their names say: golang-migrate, Flyway or Prisma.
   * README files ({@code *.md}, {@code *.txt}), hidden files and Prisma's {@code
   * migration_lock.toml} are not migrations and are passed over; every other name must match the
   * format's rule.
   *
   * @param names file names relative to the location; a Prisma migration as {@code dir/file}
   * @throws StrataException naming the file when a name matches no rule, when the folder mixes
   *     formats, or when the files do not pair up
   */
  public static MigrationFolder read(List<String> names, FileReader read, String where) {
    List<String> golang = new ArrayList<>();
    List<String> flyway = new ArrayList<>();
    List<String> prisma = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String name : names.stream().sorted().toList()) {
      String base = name.substring(name.lastIndexOf('/') + 1);
      if (base.startsWith(".")
          || base.endsWith(".md")
          || base.endsWith(".txt")
          || name.equals("migration_lock.toml")) {
        continue;
      }
      if (!name.contains("/") && parse(name).isPresent()) {
        golang.add(name);
      } else if (FLYWAY.matcher(name).matches() || FLYWAY_REPEATABLE.matcher(name).matches()) {
        flyway.add(name);
      } else if (PRISMA.matcher(name).matches()) {
        prisma.add(name);
      } else {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw StrataException.badInput(
          unknown.stream().map(n -> where + "/" + n).collect(Collectors.joining(", "))
              + (unknown.size() == 1 ? " matches" : " match")
              + " no migration naming rule (golang-migrate 000001_name.up.sql and .down.sql;"
              + " Flyway V1__name.sql, U1__name.sql, R__name.sql; Prisma"
              + " 20260101000000_name/migration.sql), so it would never run",
          "rename it to the folder's format, or move it out of the folder (*.md, *.txt and"
              + " hidden files are passed over)");
    }
    int kinds =
        (golang.isEmpty() ? 0 : 1) + (flyway.isEmpty() ? 0 : 1) + (prisma.isEmpty() ? 0 : 1);
    if (kinds > 1) {
      throw StrataException.badInput(
          where
              + " mixes migration formats:"
              + (golang.isEmpty() ? "" : " golang-migrate (" + golang.get(0) + ")")
              + (flyway.isEmpty() ? "" : " Flyway (" + flyway.get(0) + ")")
              + (prisma.isEmpty() ? "" : " Prisma (" + prisma.get(0) + ")"),
          "keep one tool's format per folder (each records what it applied in its own table)");
    }
    if (!flyway.isEmpty()) {
      return flywayFolder(flyway, read, where);
    }
    if (!prisma.isEmpty()) {
      return prismaFolder(prisma, read, where);
    }
    return new MigrationFolder(
        FolderFormat.GOLANG_MIGRATE, pairGolang(golang, read, where), List.of());
  }

  private static MigrationFolder flywayFolder(List<String> names, FileReader read, String where) {
    TreeMap<Long, MigrationScript> ups = new TreeMap<>();
    TreeMap<Long, MigrationScript> downs = new TreeMap<>();
    TreeMap<Long, String> titles = new TreeMap<>();
    List<Migration> repeatables = new ArrayList<>();
    for (String name : names) {
      Matcher r = FLYWAY_REPEATABLE.matcher(name);
      if (r.matches()) {
        MigrationScript script = MigrationScript.of(where, name, read.read(name));
        repeatables.add(
            new Migration(
                0,
                name.substring(0, name.length() - 4),
                r.group(1),
                script,
                Optional.empty(),
                true));
        continue;
      }
      Matcher m = FLYWAY.matcher(name);
      m.matches();
      String versionText = m.group(2);
      if (!versionText.chars().allMatch(Character::isDigit)) {
        throw StrataException.badInput(
            where
                + "/"
                + name
                + ": Flyway version "
                + versionText.replace('_', '.')
                + " has parts; Strata orders Flyway versions as whole numbers",
            "rename it with a whole-number version above the others (V"
                + (ups.isEmpty() ? 1 : ups.lastKey() + 1)
                + "__"
                + m.group(3)
                + ".sql)");
      }
      long version = Long.parseLong(versionText);
      String title = m.group(3);
      String previousTitle = titles.putIfAbsent(version, title);
      if (previousTitle != null && !previousTitle.equals(title)) {
        throw StrataException.badInput(
            where
                + ": version "
                + version
                + " has two descriptions: "
                + previousTitle
                + " and "
                + title,
            "give each migration its own version number");
      }
      TreeMap<Long, MigrationScript> side = m.group(1).equals("V") ? ups : downs;
      MigrationScript previous =
          side.put(version, MigrationScript.of(where, name, read.read(name)));
      if (previous != null) {
        throw StrataException.badInput(
            where + ": " + previous.fileName() + " and " + name + " share version " + version,
            "give each migration its own version number");
      }
    }
    for (Long version : downs.keySet()) {
      if (!ups.containsKey(version)) {
        throw StrataException.badInput(
            where
                + "/"
                + downs.get(version).fileName()
                + " undoes version "
                + version
                + ", which has no V"
                + version
                + "__ file",
            "add V" + version + "__" + titles.get(version) + ".sql or remove the undo file");
      }
    }
    List<Migration> migrations = new ArrayList<>();
    ups.forEach(
        (version, up) ->
            migrations.add(
                new Migration(
                    version,
                    up.fileName().substring(0, up.fileName().length() - 4),
                    titles.get(version),
                    up,
                    Optional.ofNullable(downs.get(version)),
                    false)));
    return new MigrationFolder(FolderFormat.FLYWAY, migrations, repeatables);
  }

  private static MigrationFolder prismaFolder(List<String> names, FileReader read, String where) {
    TreeMap<Long, String> dirs = new TreeMap<>();
    TreeMap<String, MigrationScript> ups = new TreeMap<>();
    TreeMap<String, MigrationScript> downs = new TreeMap<>();
    for (String name : names) {
      Matcher m = PRISMA.matcher(name);
      m.matches();
      String dir = name.substring(0, name.indexOf('/'));
      long version;
      try {
        version = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw StrataException.badInput(
            where + "/" + dir + ": the number before _ is too long to order by",
            "name the folder with a timestamp, e.g. 20260101000000_" + m.group(2));
      }
      String other = dirs.putIfAbsent(version, dir);
      if (other != null && !other.equals(dir)) {
        throw StrataException.badInput(
            where + ": " + other + " and " + dir + " share the timestamp " + m.group(1),
            "rename one of them with a later timestamp");
      }
      MigrationScript script = MigrationScript.of(where, name, read.read(name));
      (m.group(3).equals("migration") ? ups : downs).put(dir, script);
    }
    List<Migration> migrations = new ArrayList<>();
    for (var e : dirs.entrySet()) {
      String dir = e.getValue();
      MigrationScript up = ups.get(dir);
      if (up == null) {
        throw StrataException.badInput(
            where + "/" + dir + " has a down.sql but no migration.sql",
            "add " + dir + "/migration.sql or remove the folder");
      }
      migrations.add(
          new Migration(
              e.getKey(),
              dir,
              dir.substring(dir.indexOf('_') + 1),
              up,
              Optional.ofNullable(downs.get(dir)),
              false));
    }
    return new MigrationFolder(FolderFormat.PRISMA, migrations, List.of());
  }

  private static List<Migration> pairGolang(List<String> fileNames, FileReader read, String where) {
    TreeMap<Long, MigrationScript> ups = new TreeMap<>();
    TreeMap<Long, MigrationScript> downs = new TreeMap<>();
    TreeMap<Long, String> titles = new TreeMap<>();
    for (String name : fileNames.stream().sorted().toList()) {
      Optional<FileName> parsed = parse(name);
      if (parsed.isEmpty()) {
        continue;
      }
      FileName f = parsed.get();
      if (f.version() <= 0) {
        throw StrataException.badInput(
            where + "/" + name + ": version 0 is not allowed (golang-migrate starts at 1)",
            "rename it with a positive version");
      }
      String title = titles.putIfAbsent(f.version(), f.title());
      if (title != null && !title.equals(f.title())) {
        throw StrataException.badInput(
            where + ": version " + f.version() + " has two titles: " + title + " and " + f.title(),
            "give each migration its own version number");
      }
      TreeMap<Long, MigrationScript> side = f.up() ? ups : downs;
      MigrationScript previous =
          side.put(f.version(), MigrationScript.of(where, name, read.read(name)));
      if (previous != null) {
        throw StrataException.badInput(
            where + ": " + previous.fileName() + " and " + name + " share version " + f.version(),
            "give each migration its own version number");
      }
    }
    for (Long version : downs.keySet()) {
      if (!ups.containsKey(version)) {
        throw StrataException.badInput(
            where + "/" + downs.get(version).fileName() + " has no up file",
            "add " + version + "_" + titles.get(version) + ".up.sql or remove the down file");
      }
    }
    List<Migration> migrations = new ArrayList<>();
    ups.forEach(
        (version, up) ->
            migrations.add(
                new Migration(
                    version, titles.get(version), up, Optional.ofNullable(downs.get(version)))));
    return migrations;
  }

  /** Reads one file of a location by name. */
  @FunctionalInterface
  public interface FileReader {
    byte[] read(String fileName);
  }

  /**
   * Creates the next migration in {@code dir} (created if missing), in the folder's format: {@code
   * V{n}__{title}.sql} and {@code U{n}__} in a Flyway folder, {@code
   * {timestamp}_{title}/migration.sql} and {@code down.sql} in a Prisma folder, otherwise {@code
   * {version}_{title}.up.sql} and {@code .down.sql}; each empty but for a comment. A golang-migrate
   * version follows the folder's style: a timestamp ({@code yyyyMMddHHmmss}, UTC) if the newest
   * file uses one, otherwise the next sequence number zero-padded to the newest file's width (6
   * digits in an empty folder, as {@code migrate create -seq -digits 6} writes).
   *
   * @param title free text; lower-cased, anything but letters and digits becomes {@code _}
   * @return the up and the down file
   * @throws StrataException when the title has no letter or digit, or the files exist
   */
  public static List<Path> next(Path dir, String title) {
    return next(dir, title, Clock.systemUTC());
  }

  static List<Path> next(Path dir, String title, Clock clock) {
    return next(dir, title, null, null, clock);
  }

  /**
   * Writes the next migration with the given content, as {@link #next(Path, String)} names it: for
   * tools that generate migrations ({@code strata tenancy plan}).
   */
  public static List<Path> next(Path dir, String title, String upSql, String downSql) {
    return next(dir, title, upSql, downSql, Clock.systemUTC());
  }

  private static List<Path> next(
      Path dir, String title, String upSql, String downSql, Clock clock) {
    String slug = slug(title);
    LocalDateTime now = LocalDateTime.now(clock.withZone(ZoneOffset.UTC));
    Path up;
    Path down;
    FolderFormat format = formatOf(dir);
    if (format == FolderFormat.FLYWAY) {
      long next =
          MigrationLocation.folder(dir).read().migrations().stream()
                  .mapToLong(Migration::version)
                  .max()
                  .orElse(0)
              + 1;
      up = dir.resolve("V" + next + "__" + slug + ".sql");
      down = dir.resolve("U" + next + "__" + slug + ".sql");
    } else if (format == FolderFormat.PRISMA) {
      Path folder = dir.resolve(now.format(TIMESTAMP) + "_" + slug);
      up = folder.resolve("migration.sql");
      down = folder.resolve("down.sql");
    } else {
      String version = nextVersion(existing(dir), now);
      up = dir.resolve(version + "_" + slug + ".up.sql");
      down = dir.resolve(version + "_" + slug + ".down.sql");
    }
    try {
      Files.createDirectories(up.getParent());
      Files.writeString(
          up,
          upSql != null ? upSql : "-- " + title.strip() + "\n",
          StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      Files.writeString(
          down,
          downSql != null ? downSql : "-- Undoes " + up.getFileName() + "\n",
          StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw StrataException.badInput(e.getFile() + " already exists", "choose another title");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the migration files in " + dir, e);
    }
    return List.of(up, down);
  }

  /** {@code title} as a file-name part: {@code "Add site tags"} → {@code add_site_tags}. */
  public static String slug(String title) {
    String slug =
        title
            .strip()
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]+", "_")
            .replaceAll("^_|_$", "");
    if (slug.isEmpty()) {
      throw StrataException.badInput(
          "'" + title + "' is not a migration title: it has no letter or digit",
          "name what the migration does, e.g. add_site_tags");
    }
    return slug;
  }

  /** The format of the files already in {@code dir}; golang-migrate for an empty one. */
  private static FolderFormat formatOf(Path dir) {
    if (!Files.isDirectory(dir)) {
      return FolderFormat.GOLANG_MIGRATE;
    }
    return MigrationLocation.folder(dir).read().format();
  }

  static String nextVersion(List<FileName> existing, LocalDateTime now) {
    Optional<FileName> newest = existing.stream().max(Comparator.comparingLong(FileName::version));
    if (newest.isPresent() && isTimestamp(newest.get().versionText())) {
      long stamp = Long.parseLong(now.format(TIMESTAMP));
      return Long.toString(Math.max(stamp, newest.get().version() + 1));
    }
    long next = newest.map(f -> f.version() + 1).orElse(1L);
    int width = newest.map(f -> f.versionText().length()).orElse(DEFAULT_WIDTH);
    String text = Long.toString(next);
    return text.length() >= width ? text : "0".repeat(width - text.length()) + text;
  }

  private static boolean isTimestamp(String version) {
    return version.length() == 14 && version.startsWith("2");
  }

  private static List<FileName> existing(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> parse(p.getFileName().toString())).flatMap(Optional::stream).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
