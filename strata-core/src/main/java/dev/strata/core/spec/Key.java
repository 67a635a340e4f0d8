package dev.strata.core.spec;

import java.util.Objects;

/**
 * One key of a strata.yaml section, declared once: its name, type, default and description.
 * Validation, {@code strata init} and the docs all read this declaration.
 */
public record Key<T>(String name, Type<T> type, T defaultValue, String description) {

  public Key {
    Objects.requireNonNull(name, "name must not be null");
    Objects.requireNonNull(type, "type must not be null");
    Objects.requireNonNull(defaultValue, "defaultValue must not be null");
    Objects.requireNonNull(description, "description must not be null");
  }

  public static <T> Key<T> of(String name, Type<T> type, T defaultValue, String description) {
    return new Key<>(name, type, defaultValue, description);
  }

  /** The default as YAML text. */
  public String renderedDefault() {
    return type.render(defaultValue);
  }
}
