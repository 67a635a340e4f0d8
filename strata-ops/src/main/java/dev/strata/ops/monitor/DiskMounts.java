package dev.strata.ops.monitor;

import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.postgres.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The mount points of the folders whose file system must not fill: PostgreSQL's data folder, its
 * WAL (pg_wal, wherever its link points) and the backup repository. The disk rule watches those.
 */
final class DiskMounts {
  private DiskMounts() {}

  static List<String> of(ComponentContext context) {
    Path project = context.dir().root().getParent();
    Path data = PostgresServer.dataDir(context.folder(context.postgresPrimary()));
    List<Path> folders =
        List.of(data, data.resolve("pg_wal"), project.resolve(context.spec().backup().path()));
    List<String> mounts = mounts();
    TreeSet<String> found = new TreeSet<>();
    for (Path folder : folders) {
      Path real = existing(folder);
      mounts.stream()
          .filter(m -> real.startsWith(Path.of(m)))
          .max(java.util.Comparator.comparingInt(String::length))
          .ifPresent(found::add);
    }
    return List.copyOf(found);
  }

  /** The folder itself with its links resolved, or its nearest existing parent. */
  private static Path existing(Path folder) {
    for (Path p = folder.toAbsolutePath(); p != null; p = p.getParent()) {
      try {
        return p.toRealPath();
      } catch (IOException e) {
        // not made yet (the backup repository before the first backup): try its parent
      }
    }
    return Path.of("/");
  }

  private static List<String> mounts() {
    List<String> mounts = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
        String[] f = line.split(" ");
        if (f.length > 1) {
          mounts.add(f[1].replace("\\040", " "));
        }
      }
    } catch (IOException e) {
      mounts.add("/");
    }
    return mounts;
  }
}
