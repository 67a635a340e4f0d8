package dev.strata.ops.stack;

import dev.strata.core.StrataException;
import dev.strata.core.spec.SecuritySpec;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.tls.Certificates;
import java.nio.file.Path;

/** The stack's TLS material: generated (and renewed), or the user's files, owned by the servers. */
final class Tls {
  private final ComponentContext context;

  Tls(ComponentContext context) {
    this.context = context;
  }

  /**
   * Makes sure the CA, server certificate and key are there and current; a no-op without TLS.
   *
   * @return whether a new server certificate was issued, which running servers must reload
   */
  boolean prepare() {
    SecuritySpec security = context.spec().security();
    if (!security.tls()) {
      return false;
    }
    boolean issued = false;
    Certificates certificates = new Certificates(context.tlsDir());
    if (security.userCertificates()) {
      certificates.copyFrom(
          Path.of(security.tlsCertFile().orElseThrow()),
          Path.of(
              security
                  .tlsKeyFile()
                  .orElseThrow(
                      () ->
                          StrataException.badInput(
                              "security.tls_cert_file is set but security.tls_key_file is not",
                              "set both, or neither"))),
          Path.of(
              security
                  .tlsCaFile()
                  .orElseThrow(
                      () ->
                          StrataException.badInput(
                              "security.tls_cert_file is set but security.tls_ca_file is not",
                              "set it to the CA that signed the certificate"))));
    } else {
      issued = certificates.ensureGenerated(context.tools().openssl(), security.bind());
    }
    context.runAs().give(certificates.serverKey());
    context.runAs().give(certificates.serverCert());
    return issued;
  }
}
