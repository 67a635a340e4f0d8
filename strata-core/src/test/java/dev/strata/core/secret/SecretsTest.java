package dev.strata.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.StrataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
  @TempDir Path dir;

  @Test
  void a_secret_is_generated_once_kept_private_and_read_back() throws Exception {
    Path file = dir.resolve("secrets");
    String password = Secrets.open(file).get("postgres/app_app");
    assertThat(password).hasSize(40).matches("[A-Za-z0-9]+");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Secrets.open(file).get("postgres/app_app")).isEqualTo(password);
    assertThat(Secrets.open(file).toString()).doesNotContain(password);
  }

  @Test
  void a_derived_value_is_computed_once_and_again_when_the_secret_changes() throws Exception {
    Path file = dir.resolve("secrets");
    AtomicInteger computed = new AtomicInteger();
    Secrets.open(file).derived("pw", "len", s -> computed.incrementAndGet() + ":" + s.length());
    String again =
        Secrets.open(file).derived("pw", "len", s -> computed.incrementAndGet() + ":" + s.length());
    assertThat(again).isEqualTo("1:40");
    Files.writeString(file, Files.readString(file).replaceAll("(?m)^pw=.*$", "pw=changed"));
    assertThat(
            Secrets.open(file)
                .derived("pw", "len", s -> computed.incrementAndGet() + ":" + s.length()))
        .isEqualTo("2:7");
  }

  @Test
  void a_file_others_can_read_is_refused_with_the_fix() throws Exception {
    Path file = dir.resolve("secrets");
    Secrets.open(file).get("x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> Secrets.open(file))
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("can be read by other users")
        .satisfies(
            e -> assertThat(((StrataException) e).fix()).isEqualTo("run: chmod 600 " + file));
  }

  @Test
  void the_scram_verifier_is_stable_for_a_role_and_password() {
    String v = ScramVerifier.of("app_app", "secret");
    assertThat(v)
        .startsWith("SCRAM-SHA-256$4096:")
        .isEqualTo(ScramVerifier.of("app_app", "secret"));
    assertThat(ScramVerifier.of("app_owner", "secret")).isNotEqualTo(v);
  }
}
