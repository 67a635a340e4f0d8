package dev.strata.ops.postgres;

import dev.strata.core.spec.DataSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Memory settings derived from the memory PostgreSQL may plan for, in the way of the common guides:
 * shared_buffers a quarter, effective_cache_size three quarters, work_mem what is left over shared
 * between connections, maintenance_work_mem a sixteenth. The seeds' hand-set values (256 MB, 1 GB,
 * 4 MB, 64 MB) are floors, never the values on a large machine.
 */
public final class PostgresTuning {
  static final int MAX_CONNECTIONS = 100;

  private PostgresTuning() {}

  /** The settings for {@code memory}. */
  public static Map<String, String> forMemory(DataSize memory) {
    DataSize shared =
        memory.times(0.25).max(DataSize.ofMegabytes(256)).min(DataSize.ofMegabytes(16 * 1024));
    DataSize cache = memory.times(0.75).max(DataSize.ofMegabytes(1024));
    long perConnection = Math.max(0, memory.bytes() - shared.bytes()) / (MAX_CONNECTIONS * 3L);
    DataSize work =
        new DataSize(perConnection).max(DataSize.ofMegabytes(4)).min(DataSize.ofMegabytes(256));
    DataSize maintenance =
        memory.times(1.0 / 16).max(DataSize.ofMegabytes(64)).min(DataSize.ofMegabytes(2048));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("shared_buffers", megabytes(shared));
    settings.put("effective_cache_size", megabytes(cache));
    settings.put("work_mem", megabytes(work));
    settings.put("maintenance_work_mem", megabytes(maintenance));
    return settings;
  }

  /** The memory of this machine, or of its cgroup when that is smaller. */
  public static DataSize machineMemory() {
    long total = meminfoTotal().orElse(DataSize.ofMegabytes(1024).bytes());
    long limit = cgroupLimit().orElse(Long.MAX_VALUE);
    return new DataSize(Math.min(total, limit));
  }

  private static String megabytes(DataSize size) {
    return size.megabytes() + "MB";
  }

  private static Optional<Long> meminfoTotal() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal:"))
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024)
          .findFirst();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Long> cgroupLimit() {
    try {
      String text = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).trim();
      return text.equals("max") ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
