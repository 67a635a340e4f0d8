package dev.strata.core.spec;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of one section as read from strata.yaml, defaults filled in, with their locations. Two
 * {@code Values} are equal when every key has the same value, wherever it was written.
 */
public final class Values {
  private final String section;
  private final List<Key<?>> keys;
  private final Map<Key<?>, Object> values;
  private final Map<Key<?>, Location> locations;
  private final Location defaultLocation;

  Values(
      Section<?> section,
      Map<Key<?>, Object> values,
      Map<Key<?>, Location> locations,
      Location defaultLocation) {
    this.section = section.name();
    this.keys = section.keys();
    this.values = Map.copyOf(values);
    this.locations = Map.copyOf(locations);
    this.defaultLocation = defaultLocation;
  }

  static Values defaults(Section<?> section, String file) {
    return new Values(section, new HashMap<>(), new HashMap<>(), Location.defaults(file));
  }

  /** The value of {@code key}: as written, or its default. */
  @SuppressWarnings("unchecked")
  public <T> T get(Key<T> key) {
    return (T) values.getOrDefault(key, key.defaultValue());
  }

  /** Whether the file sets {@code key} (rather than leaving it at its default). */
  public boolean isSet(Key<?> key) {
    return values.containsKey(key);
  }

  /** Where {@code key} is set, or the file itself when it is left at its default. */
  public Location location(Key<?> key) {
    return locations.getOrDefault(key, defaultLocation);
  }

  /** The key's full path, e.g. {@code postgres.port}. */
  public String path(Key<?> key) {
    return section + "." + key.name();
  }

  /** Every key's effective value by name, in declaration order. */
  private Map<String, Object> effective() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Key<?> key : keys) {
      out.put(key.name(), get(key));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Values other
        && section.equals(other.section)
        && effective().equals(other.effective());
  }

  @Override
  public int hashCode() {
    return section.hashCode() * 31 + effective().hashCode();
  }

  /** {@code section{key=value, ...}}, for messages and debugging. */
  @Override
  public String toString() {
    return section + effective();
  }
}
