package dev.strata.ops.component;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the postgresql.conf settings that components contribute. A list setting ({@code
 * shared_preload_libraries} and its kin) takes the union of every contribution, in order; any other
 * setting may be contributed by one component only, or by several with the same value — two engines
 * that disagree on {@code archive_command} are a defect to find at once, not a race.
 */
public final class PostgresSettings {
  /** The settings whose value is a comma-separated list, merged rather than replaced. */
  public static final Set<String> LISTS =
      Set.of("shared_preload_libraries", "session_preload_libraries", "local_preload_libraries");

  private final Map<String, String> merged = new LinkedHashMap<>();
  private final Map<String, String> contributors = new LinkedHashMap<>();

  /** Adds one component's settings. */
  public PostgresSettings add(String contributor, Map<String, String> settings) {
    settings.forEach((name, value) -> put(contributor, name, value));
    return this;
  }

  private void put(String contributor, String name, String value) {
    String previous = merged.get(name);
    if (previous == null) {
      merged.put(name, value);
      contributors.put(name, contributor);
    } else if (LISTS.contains(name)) {
      merged.put(name, union(previous, value));
    } else if (!previous.equals(value)) {
      throw new IllegalStateException(
          contributors.get(name)
              + " sets "
              + name
              + " = '"
              + previous
              + "' and "
              + contributor
              + " sets it to '"
              + value
              + "'");
    }
  }

  /** The merged settings, in the order they were first contributed. */
  public Map<String, String> toMap() {
    return new LinkedHashMap<>(merged);
  }

  /** {@code a, b} and {@code b, c} give {@code a, b, c}. */
  public static String union(String first, String second) {
    Set<String> items = new LinkedHashSet<>();
    for (String part : List.of(first, second)) {
      Arrays.stream(part.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .forEach(items::add);
    }
    return String.join(",", new ArrayList<>(items));
  }
}
