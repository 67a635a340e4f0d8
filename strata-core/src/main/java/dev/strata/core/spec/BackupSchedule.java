package dev.strata.core.spec;

import dev.strata.core.schedule.Cron;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code backup.schedule}: when the agent takes each kind of backup and runs the restore drill, as
 * cron expressions ({@code full: "0 1 * * sun"}); a kind left out (or {@code off}) is not
 * scheduled. The drill runs inside {@code agent.maintenance_window}.
 *
 * @param full full backups
 * @param diff differential backups
 * @param incr incremental backups
 * @param drill restore drills
 * @param redis Redis snapshots (BGSAVE)
 */
public record BackupSchedule(
    Optional<Cron> full,
    Optional<Cron> diff,
    Optional<Cron> incr,
    Optional<Cron> drill,
    Optional<Cron> redis) {

  /** The kinds, in the order the docs list them. */
  public static final List<String> KINDS = List.of("full", "diff", "incr", "drill", "redis");

  /** Full backups on Sunday at 01:00, differential ones the other nights, a drill Sunday 02:30. */
  public static final BackupSchedule DEFAULT =
      of(Map.of("full", "0 1 * * sun", "diff", "0 1 * * mon-sat", "drill", "30 2 * * sun"));

  /** The schedule of each kind that has one, by kind, in {@link #KINDS} order. */
  public Map<String, Cron> byKind() {
    Map<String, Cron> m = new LinkedHashMap<>();
    full.ifPresent(c -> m.put("full", c));
    diff.ifPresent(c -> m.put("diff", c));
    incr.ifPresent(c -> m.put("incr", c));
    drill.ifPresent(c -> m.put("drill", c));
    redis.ifPresent(c -> m.put("redis", c));
    return m;
  }

  static BackupSchedule of(Map<String, String> raw) {
    return new BackupSchedule(
        cron(raw.get("full")),
        cron(raw.get("diff")),
        cron(raw.get("incr")),
        cron(raw.get("drill")),
        cron(raw.get("redis")));
  }

  private static Optional<Cron> cron(String text) {
    return text == null || text.equals("off") ? Optional.empty() : Optional.of(Cron.parse(text));
  }

  /** The strata.yaml type: a mapping of kinds to cron expressions. */
  static Type<BackupSchedule> type() {
    String allowed = "a mapping of " + String.join(", ", KINDS) + " to cron expressions (or off)";
    Type<Map<String, String>> map = Types.mapOf(Types.string("a cron expression"));
    return new Type<>() {
      @Override
      public BackupSchedule read(Value value) throws BadValue {
        Map<String, String> raw = map.read(value);
        for (Map.Entry<String, String> e : raw.entrySet()) {
          if (!KINDS.contains(e.getKey())) {
            throw new BadValue(
                value,
                "." + e.getKey(),
                "is not a schedule: allowed are " + String.join(", ", KINDS));
          }
          Optional<String> problem =
              e.getValue().equals("off") ? Optional.empty() : Cron.problem(e.getValue());
          if (problem.isPresent()) {
            throw new BadValue(value, "." + e.getKey(), problem.get());
          }
        }
        return of(raw);
      }

      @Override
      public String allowed() {
        return allowed;
      }

      @Override
      public String render(BackupSchedule value) {
        return value.byKind().entrySet().stream()
            .map(e -> e.getKey() + ": \"" + e.getValue() + "\"")
            .collect(Collectors.joining(", ", "{", "}"));
      }

      @Override
      public Map<String, Object> schema() {
        Map<String, Object> props = new LinkedHashMap<>();
        KINDS.forEach(k -> props.put(k, Json.obj("type", "string")));
        return Json.obj("type", "object", "properties", props, "additionalProperties", false);
      }
    };
  }
}
