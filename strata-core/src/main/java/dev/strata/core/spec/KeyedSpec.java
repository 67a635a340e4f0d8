package dev.strata.core.spec;

import java.util.Objects;

/**
 * A strata.yaml section held as the values of its keys: two are equal when they are of one section
 * and their values are. One prints as its values; a section with a secret among them overrides
 * {@link #toString()} to mask it.
 */
abstract class KeyedSpec {
  final Values values;

  KeyedSpec(Values values) {
    this.values = Objects.requireNonNull(values, "values");
  }

  @Override
  public final boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && values.equals(((KeyedSpec) o).values);
  }

  @Override
  public final int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
