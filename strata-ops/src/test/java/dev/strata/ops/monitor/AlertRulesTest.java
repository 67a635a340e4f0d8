package dev.strata.ops.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.spec.SpecLoader;
import dev.strata.core.spec.StrataSpec;
import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated rules pass promtool's checks and each rule's unit test, run by the real promtool.
 */
final class AlertRulesTest {
  @TempDir Path dir;

  private Exec.Result promtool(String... args) {
    List<String> command = new ArrayList<>(List.of(MonitoringBinaries.promtool(true).toString()));
    command.addAll(List.of(args));
    return Exec.of(command).workDir(dir).timeout(Duration.ofMinutes(2)).run();
  }

  private Exec.Result check(List<Rule> rules) throws IOException {
    Files.writeString(dir.resolve("strata.rules.yml"), RuleFiles.rules(rules));
    return promtool("check", "rules", dir.resolve("strata.rules.yml").toString());
  }

  private Exec.Result test(List<Rule> rules) throws IOException {
    Files.writeString(dir.resolve("strata.rules.yml"), RuleFiles.rules(rules));
    Files.writeString(dir.resolve("tests.yml"), RuleFiles.tests(rules, "strata.rules.yml"));
    return promtool("test", "rules", dir.resolve("tests.yml").toString());
  }

  @Test
  void default_rules_pass_promtool_check_and_every_rule_has_a_passing_test() throws IOException {
    List<Rule> rules = AlertRules.of(StrataSpec.defaults());
    Exec.Result check = check(rules);
    assertThat(check.ok()).as(check.output()).isTrue();
    assertThat(check.output()).contains("SUCCESS: " + rules.size() + " rules found");
    Exec.Result test = test(rules);
    assertThat(test.ok()).as(test.output()).isTrue();
    assertThat(rules).allSatisfy(r -> assertThat(r.runbook()).isNotBlank());
    assertThat(rules)
        .extracting(Rule::name)
        .contains("PostgresDown", "PgBouncerDown", "RedisDown", "PostgresTooManyConnections");
  }

  @Test
  void thresholds_come_from_strata_yaml() {
    StrataSpec spec =
        SpecLoader.parse(
            "alerts:\n  connections_percent: 70\n  replication_lag: 10s\n"
                + "redis:\n  persistence: aof\n",
            "strata.yaml",
            n -> null);
    List<Rule> rules = AlertRules.of(spec);
    assertThat(RuleFiles.rules(rules)).contains("* 0.7").contains("pg_replication_lag > 10.0");
    assertThat(rules).extracting(Rule::name).doesNotContain("RedisNoRdbSave");
  }

  @Test
  void the_disk_rule_watches_the_folders_mount_points_and_passes_promtool() throws IOException {
    List<Rule> rules = AlertRules.of(StrataSpec.defaults(), List.of("/", "/srv/pg.data"));
    Rule disk =
        rules.stream().filter(r -> r.name().equals("DiskAlmostFull")).findFirst().orElseThrow();
    assertThat(disk.expr()).contains("mountpoint=~\"/|/srv/pg\\\\.data\"").contains("> 80");
    Exec.Result test = test(rules);
    assertThat(test.ok()).as(test.output()).isTrue();
  }

  @Test
  void a_planted_broken_rule_fails_the_check() throws IOException {
    Rule broken =
        new Rule(
            "planted",
            "Broken",
            "sum(rate(up[5m]) > ",
            Duration.ofMinutes(1),
            "warning",
            "s",
            "r",
            Rule.fires(java.util.Map.of("up", "1x10"), java.util.Map.of()));
    Exec.Result check = check(List.of(broken));
    assertThat(check.ok()).isFalse();
    assertThat(check.output()).contains("Broken");
  }

  @Test
  void a_rule_that_does_not_fire_on_its_case_fails_the_test() throws IOException {
    Rule rule = AlertRules.of(StrataSpec.defaults()).get(0);
    Rule never =
        new Rule(
            rule.group(),
            rule.name(),
            "(" + rule.expr() + ") and on () vector(0) > 1",
            rule.holdFor(),
            rule.severity(),
            rule.summary(),
            rule.runbook(),
            rule.test());
    Exec.Result test = test(List.of(never));
    assertThat(test.ok()).as(test.output()).isFalse();
  }
}
