package dev.strata.ops.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.StrataException;
import dev.strata.ops.process.Binaries.Program;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BinariesTest {

  @Test
  void a_command_that_may_not_install_names_the_package_instead_of_running_apt() {
    // With install allowed, root would run apt-get for this package; without, it must not try.
    assertThatThrownBy(
            () ->
                Binaries.require(
                    List.of(new Program("strata-no-such-tool", "strata-no-such-pkg")), false))
        .isInstanceOf(StrataException.class)
        .hasMessageContaining(
            "strata-no-such-tool is not installed (Debian package strata-no-such-pkg)")
        .satisfies(e -> assertThat(fix(e)).contains("run `strata up` as root (it installs it)"));
  }

  @Test
  void a_cluster_of_a_major_that_is_not_installed_names_its_package(@TempDir Path data)
      throws Exception {
    Files.writeString(data.resolve("PG_VERSION"), "99\n");
    assertThatThrownBy(
            () -> Binaries.postgresBinDir(Optional.empty(), Binaries.clusterMajor(data), true))
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("PostgreSQL 99 (the existing cluster was made by it")
        .satisfies(e -> assertThat(fix(e)).contains("apt-get install -y postgresql-99"));
  }

  private static String fix(Throwable e) {
    return ((StrataException) e).fix();
  }

  @Test
  void a_configured_bin_dir_of_another_major_than_the_cluster_is_refused(@TempDir Path data)
      throws Exception {
    Files.writeString(data.resolve("PG_VERSION"), "14\n");
    assertThatThrownBy(
            () ->
                Binaries.postgresBinDir(
                    Optional.of("/usr/lib/postgresql/15/bin"), Binaries.clusterMajor(data), false))
        .isInstanceOf(StrataException.class)
        .hasMessageContaining("is PostgreSQL 15")
        .hasMessageContaining("the cluster was made by PostgreSQL 14")
        .satisfies(
            e -> assertThat(fix(e)).contains("/usr/lib/postgresql/14/bin").contains("pg_upgrade"));
  }
}
