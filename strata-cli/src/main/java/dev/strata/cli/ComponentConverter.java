package dev.strata.cli;

import dev.strata.ops.stack.Component;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code postgres}, {@code pooler} (or {@code pgbouncer}), {@code redis}. */
final class ComponentConverter implements ITypeConverter<Component> {
  @Override
  public Component convert(String value) {
    String v = value.toLowerCase(java.util.Locale.ROOT);
    for (Component c : Component.values()) {
      if (c.key().equals(v) || c.displayName().equalsIgnoreCase(v)) {
        return c;
      }
    }
    throw new TypeConversionException(
        "unknown component '"
            + value
            + "'; one of: "
            + Arrays.stream(Component.values())
                .map(Component::key)
                .collect(Collectors.joining(", ")));
  }
}
