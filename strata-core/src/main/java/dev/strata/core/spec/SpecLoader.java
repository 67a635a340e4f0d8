package dev.strata.core.spec;

import dev.strata.core.StrataException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads strata.yaml into a {@link StrataSpec}. Collects every problem (unknown keys, wrong types,
 * bad values, unset {@code ${VAR}}) with file:line:column before failing, so one run shows them
 * all.
 */
public final class SpecLoader {
  private final String file;
  private final Interpolator interpolator;
  private final List<SpecProblem> problems = new ArrayList<>();

  /** Values whose interpolation failed: already reported, so their type errors are not. */
  private final Set<Location> unexpanded = new HashSet<>();

  private SpecLoader(String file, Function<String, String> environment) {
    this.file = file;
    this.interpolator = new Interpolator(environment);
  }

  /**
   * Reads {@code path}; a missing file means every key at its default.
   *
   * @throws SpecException when the file is not valid
   * @throws StrataException when it cannot be read
   */
  public static StrataSpec load(Path path, Function<String, String> environment) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      text = "";
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot read " + path + ": " + e.getMessage(), "check the file's permissions");
    }
    return parse(text, path.getFileName().toString(), environment);
  }

  /**
   * Reads strata.yaml text.
   *
   * @param file the name used in messages
   * @throws SpecException when the text is not valid
   */
  public static StrataSpec parse(String text, String file, Function<String, String> environment) {
    return new SpecLoader(file, environment).read(text);
  }

  private StrataSpec read(String text) {
    Node root = compose(text);
    Map<Section<?>, Values> values = new HashMap<>();
    Map<String, Value.Entry> sections = root == null ? Map.of() : sections(root);
    for (Section<?> section : StrataSpec.SECTIONS) {
      Value.Entry entry = sections.get(section.name());
      values.put(
          section,
          entry == null ? Values.defaults(section, file) : readSection(section, entry.value()));
    }
    if (problems.isEmpty()) {
      problems.addAll(StrataSpec.crossCheck(values));
    }
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
    return StrataSpec.build(values);
  }

  private Node compose(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(0);
    try {
      return new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new SpecException(
          List.of(
              new SpecProblem(
                  location(mark),
                  "(yaml)",
                  "not valid YAML: " + e.getProblem() + flowHint(text, mark))));
    } catch (RuntimeException e) {
      throw new SpecException(
          List.of(
              new SpecProblem(
                  Location.defaults(file), "(yaml)", "not valid YAML: " + e.getMessage())));
    }
  }

  /**
   * In a flow list or mapping ({@code [a, ${X}]}) YAML reads the brace of {@code ${X}} as a
   * mapping: say to quote it, since the docs' own defaults are written that way.
   */
  private static String flowHint(String text, Mark mark) {
    if (mark == null) {
      return "";
    }
    String[] lines = text.split("\n", -1);
    String line = mark.getLine() < lines.length ? lines[mark.getLine()] : "";
    return line.contains("${") && (line.contains("[") || line.contains("{ "))
        ? " (a ${VAR} inside [ ] or { } must be quoted: \"${VAR}\")"
        : "";
  }

  private Map<String, Value.Entry> sections(Node root) {
    Value value = toValue(root, "");
    if (value instanceof Value.Scalar s && s.text() == null) {
      return Map.of();
    }
    if (!(value instanceof Value.Mapping mapping)) {
      problems.add(
          new SpecProblem(
              value.location(),
              "(top level)",
              "expected sections such as postgres:, found '" + value.text() + "'"));
      return Map.of();
    }
    Set<String> known = StrataSpec.SECTIONS.stream().map(Section::name).collect(Collectors.toSet());
    Map<String, Value.Entry> result = new HashMap<>();
    for (Value.Entry e : uniqueEntries(mapping, "")) {
      if (known.contains(e.key())) {
        result.put(e.key(), e);
      } else {
        problems.add(new SpecProblem(e.keyLocation(), e.key(), unknown("section", e.key(), known)));
      }
    }
    return result;
  }

  private Values readSection(Section<?> section, Value value) {
    Map<Key<?>, Object> read = new HashMap<>();
    Map<Key<?>, Location> locations = new HashMap<>();
    if (value instanceof Value.Mapping mapping) {
      for (Value.Entry e : uniqueEntries(mapping, section.name() + ".")) {
        String path = section.name() + "." + e.key();
        Optional<Key<?>> key = section.key(e.key());
        if (key.isEmpty()) {
          Set<String> allowed = section.keys().stream().map(Key::name).collect(Collectors.toSet());
          problems.add(new SpecProblem(e.keyLocation(), path, unknown("key", e.key(), allowed)));
          continue;
        }
        try {
          read.put(key.get(), key.get().type().read(e.value()));
          locations.put(key.get(), e.value().location());
        } catch (BadValue bad) {
          if (unexpanded.contains(bad.value().location())) {
            continue;
          }
          problems.add(
              new SpecProblem(bad.value().location(), path + bad.subPath(), bad.getMessage()));
        }
      }
    } else if (!(value instanceof Value.Scalar s && s.text() == null)) {
      problems.add(
          new SpecProblem(
              value.location(),
              section.name(),
              "expected the keys of " + section.name() + ", found '" + value.text() + "'"));
    }
    return new Values(section, read, locations, Location.defaults(file));
  }

  /** The entries of {@code mapping}; a key given again is reported where it is repeated. */
  private List<Value.Entry> uniqueEntries(Value.Mapping mapping, String prefix) {
    Map<String, Location> seen = new HashMap<>();
    List<Value.Entry> entries = new ArrayList<>();
    for (Value.Entry e : mapping.entries()) {
      Location first = seen.putIfAbsent(e.key(), e.keyLocation());
      if (first == null) {
        entries.add(e);
      } else {
        problems.add(
            new SpecProblem(
                e.keyLocation(), prefix + e.key(), "set twice (first at " + first + "): keep one"));
      }
    }
    return entries;
  }

  private Value toValue(Node node, String path) {
    Location location = location(node.getStartMark());
    if (node instanceof ScalarNode scalar) {
      String raw = scalar.getValue();
      boolean empty =
          raw.isEmpty()
              || (raw.equals("~") || raw.equals("null"))
                  && scalar.getScalarStyle().getChar() == null;
      if (empty) {
        return new Value.Scalar(null, location);
      }
      try {
        return new Value.Scalar(interpolator.expand(raw), location);
      } catch (IllegalArgumentException e) {
        problems.add(new SpecProblem(location, path, e.getMessage()));
        unexpanded.add(location);
        return new Value.Scalar(raw, location);
      }
    }
    if (node instanceof SequenceNode seq) {
      return new Value.Sequence(
          seq.getValue().stream().map(n -> toValue(n, path)).toList(), location);
    }
    MappingNode map = (MappingNode) node;
    List<Value.Entry> entries = new ArrayList<>();
    for (NodeTuple t : map.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
      String child = path.isEmpty() ? key : path + "." + key;
      entries.add(
          new Value.Entry(
              key, location(t.getKeyNode().getStartMark()), toValue(t.getValueNode(), child)));
    }
    return new Value.Mapping(entries, location);
  }

  private Location location(Mark mark) {
    return mark == null
        ? Location.defaults(file)
        : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  private static String unknown(String what, String name, Set<String> allowed) {
    String suggestion =
        allowed.stream()
            .min(Comparator.comparingInt(a -> Interpolator.distance(a, name)))
            .filter(a -> Interpolator.distance(a, name) <= 2)
            .map(a -> "did you mean '" + a + "'? ")
            .orElse("");
    return "unknown "
        + what
        + " '"
        + name
        + "': "
        + suggestion
        + "allowed: "
        + String.join(", ", allowed.stream().sorted().toList());
  }
}
