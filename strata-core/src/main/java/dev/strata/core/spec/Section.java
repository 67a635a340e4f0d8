package dev.strata.core.spec;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A top-level section of strata.yaml: its keys, and how their values become the section's record.
 *
 * @param <S> the immutable record the section is read into
 */
public record Section<S>(
    String name, String description, List<Key<?>> keys, Function<Values, S> build) {

  public Section {
    keys = List.copyOf(keys);
  }

  public Optional<Key<?>> key(String keyName) {
    return keys.stream().filter(k -> k.name().equals(keyName)).findFirst();
  }

  /** The section with every key at its default. */
  public S defaults(String file) {
    return build.apply(Values.defaults(this, file));
  }
}
