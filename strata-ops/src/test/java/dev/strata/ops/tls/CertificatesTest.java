package dev.strata.ops.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CertificatesTest {
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");

  @TempDir Path dir;

  @Test
  void a_current_certificate_is_kept() throws IOException {
    Certificates certs = new Certificates(dir);
    assertThat(certs.ensureGenerated(OPENSSL, "127.0.0.1")).isTrue();
    byte[] cert = Files.readAllBytes(certs.serverCert());
    assertThat(certs.ensureGenerated(OPENSSL, "127.0.0.1")).isFalse();
    assertThat(Files.readAllBytes(certs.serverCert())).isEqualTo(cert);
  }

  @Test
  void a_certificate_near_its_expiry_is_reissued_by_the_same_ca() throws IOException {
    Certificates shortLived = new Certificates(dir, 10);
    shortLived.ensureGenerated(OPENSSL, "127.0.0.1");
    byte[] ca = Files.readAllBytes(shortLived.caCert());
    byte[] cert = Files.readAllBytes(shortLived.serverCert());

    assertThat(new Certificates(dir).ensureGenerated(OPENSSL, "127.0.0.1")).isTrue();

    assertThat(Files.readAllBytes(shortLived.serverCert())).isNotEqualTo(cert);
    assertThat(Files.readAllBytes(shortLived.caCert()))
        .as("clients keep trusting the CA")
        .isEqualTo(ca);
    assertThat(verifies(shortLived)).isTrue();
    assertThat(
            Exec.of(
                    OPENSSL.toString(),
                    "x509",
                    "-checkend",
                    "2592000",
                    "-noout",
                    "-in",
                    shortLived.serverCert().toString())
                .run()
                .ok())
        .as("valid for more than 30 days")
        .isTrue();
  }

  @Test
  void a_new_bind_address_gets_a_certificate_that_names_it() throws IOException {
    Certificates certs = new Certificates(dir);
    certs.ensureGenerated(OPENSSL, "127.0.0.1");
    assertThat(names(certs)).doesNotContain("10.1.2.3");

    assertThat(certs.ensureGenerated(OPENSSL, "10.1.2.3")).isTrue();

    assertThat(names(certs)).contains("IP Address:10.1.2.3").contains("IP Address:127.0.0.1");
    assertThat(verifies(certs)).isTrue();
  }

  @Test
  void the_certificate_also_authenticates_clients_and_one_without_client_auth_is_reissued()
      throws IOException {
    Certificates certs = new Certificates(dir);
    certs.ensureGenerated(OPENSSL, "127.0.0.1");
    assertThat(usage(certs))
        .contains("TLS Web Server Authentication", "TLS Web Client Authentication");

    // a certificate made before replication needed clientAuth: serverAuth only, same CA
    Path ext = dir.resolve("old.ext");
    Files.writeString(ext, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    Exec.of(
            OPENSSL.toString(),
            "req",
            "-new",
            "-key",
            certs.serverKey().toString(),
            "-subj",
            "/CN=localhost",
            "-out",
            dir.resolve("old.csr").toString())
        .check();
    Exec.of(
            OPENSSL.toString(),
            "x509",
            "-req",
            "-in",
            dir.resolve("old.csr").toString(),
            "-CA",
            certs.caCert().toString(),
            "-CAkey",
            dir.resolve("ca.key").toString(),
            "-CAcreateserial",
            "-days",
            "100",
            "-extfile",
            ext.toString(),
            "-out",
            certs.serverCert().toString())
        .check();
    assertThat(usage(certs)).doesNotContain("Client");

    assertThat(certs.ensureGenerated(OPENSSL, "127.0.0.1")).isTrue();
    assertThat(usage(certs)).contains("TLS Web Client Authentication");
  }

  private static String usage(Certificates certs) {
    return Exec.of(
            OPENSSL.toString(),
            "x509",
            "-noout",
            "-ext",
            "extendedKeyUsage",
            "-in",
            certs.serverCert().toString())
        .run()
        .output();
  }

  private static String names(Certificates certs) {
    return Exec.of(
            OPENSSL.toString(),
            "x509",
            "-noout",
            "-ext",
            "subjectAltName",
            "-in",
            certs.serverCert().toString())
        .run()
        .output();
  }

  private static boolean verifies(Certificates certs) {
    return Exec.of(
            OPENSSL.toString(),
            "verify",
            "-CAfile",
            certs.caCert().toString(),
            certs.serverCert().toString())
        .run()
        .ok();
  }
}
