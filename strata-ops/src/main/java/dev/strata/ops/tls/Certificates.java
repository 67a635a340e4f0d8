package dev.strata.ops.tls;

import dev.strata.core.StrataException;
import dev.strata.ops.process.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The TLS material of a stack: a CA of the stack's own (ECDSA P-256, ten years) and a server
 * certificate it signs, valid for {@code localhost}, 127.0.0.1, ::1 and the bind address — or the
 * files the user gave. Made with the machine's {@code openssl}; made once, kept after.
 */
public final class Certificates {
  private final Path dir;
  private final int serverDays;

  public Certificates(Path dir) {
    this(dir, 825);
  }

  /** With server certificates valid for {@code serverDays}: for tests of renewal. */
  Certificates(Path dir, int serverDays) {
    this.dir = dir;
    this.serverDays = serverDays;
  }

  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  public Path serverCert() {
    return dir.resolve("server.crt");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** Whether the server certificate and key are there. */
  public boolean present() {
    return Files.exists(serverCert()) && Files.exists(serverKey()) && Files.exists(caCert());
  }

  /** Renew a server certificate this long before it expires. */
  static final int RENEW_SECONDS = 30 * 24 * 3600;

  /**
   * Makes the CA and the server certificate unless they exist; reissues the server certificate
   * (signed by the same CA, so clients keep trusting it) when it expires within 30 days or does not
   * name {@code host}.
   *
   * @param host the bind address, added to the certificate's names
   * @return whether a new server certificate was written (running servers must reload it)
   */
  public boolean ensureGenerated(Path openssl, String host) {
    String o = openssl.toString();
    Path caKey = dir.resolve("ca.key");
    if (present() && Files.exists(caKey)) {
      if (current(o, host)) {
        return false;
      }
      issueServer(o, caKey, host);
      return true;
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write TLS files in " + dir + ": " + e.getMessage(), "");
    }
    // The CA and the server's key and request need nothing of each other: made at once, each by
    // one openssl run (key and certificate or request together), then the CA signs.
    CompletableFuture<Void> ca =
        CompletableFuture.runAsync(
            () -> {
              run(
                  o,
                  "req",
                  "-x509",
                  "-newkey",
                  "ec",
                  "-pkeyopt",
                  "ec_paramgen_curve:prime256v1",
                  "-nodes",
                  "-keyout",
                  caKey.toString(),
                  "-sha256",
                  "-days",
                  "3650",
                  "-subj",
                  "/CN=Strata local CA",
                  "-out",
                  caCert().toString());
              restrictUnchecked(caKey);
            });
    Path csr = serverRequest(o);
    try {
      ca.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    signServer(o, caKey, csr, host);
    return true;
  }

  /** Whether the server certificate is valid for 30 more days and names {@code host}. */
  private boolean current(String openssl, String host) {
    boolean lasts =
        Exec.of(
                openssl,
                "x509",
                "-checkend",
                Integer.toString(RENEW_SECONDS),
                "-noout",
                "-in",
                serverCert().toString())
            .run()
            .ok();
    if (!lasts || !clientAuth(openssl)) {
      return false; // also a certificate from before Redis replication needed clientAuth
    }
    if (!isExtra(host)) {
      return true;
    }
    Exec.Result names =
        Exec.of(openssl, "x509", "-noout", "-ext", "subjectAltName", "-in", serverCert().toString())
            .run();
    String wanted = host.matches("[0-9.:]+") ? "IP Address:" + host : "DNS:" + host;
    return names.ok() && names.output().contains(wanted);
  }

  /**
   * Whether the server certificate may also authenticate a client: Redis replicas, Sentinels and
   * cluster nodes present it when they connect to each other over TLS.
   */
  private boolean clientAuth(String openssl) {
    Exec.Result usage =
        Exec.of(
                openssl,
                "x509",
                "-noout",
                "-ext",
                "extendedKeyUsage",
                "-in",
                serverCert().toString())
            .run();
    return usage.ok() && usage.output().contains("TLS Web Client Authentication");
  }

  private void issueServer(String o, Path caKey, String host) {
    signServer(o, caKey, serverRequest(o), host);
  }

  /** A new server key (ECDSA P-256, mode 0600) and its signing request, in one openssl run. */
  private Path serverRequest(String o) {
    Path csr = dir.resolve("server.csr");
    run(
        o,
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        serverKey().toString(),
        "-subj",
        "/CN=localhost",
        "-out",
        csr.toString());
    restrictUnchecked(serverKey());
    return csr;
  }

  private void signServer(String o, Path caKey, Path csr, String host) {
    try {
      Path ext = dir.resolve("server.ext");
      String names = "DNS:localhost,IP:127.0.0.1,IP:::1" + (isExtra(host) ? "," + san(host) : "");
      Files.writeString(
          ext, "subjectAltName=" + names + "\nextendedKeyUsage=serverAuth,clientAuth\n");
      run(
          o,
          "x509",
          "-req",
          "-in",
          csr.toString(),
          "-CA",
          caCert().toString(),
          "-CAkey",
          caKey.toString(),
          "-CAcreateserial",
          "-days",
          Integer.toString(serverDays),
          "-sha256",
          "-extfile",
          ext.toString(),
          "-out",
          serverCert().toString());
      Files.delete(csr);
      Files.delete(ext);
      Files.deleteIfExists(dir.resolve("ca.srl"));
      restrict(serverKey());
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write TLS files in " + dir + ": " + e.getMessage(), "");
    }
  }

  private void restrictUnchecked(Path key) {
    try {
      restrict(key);
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot write TLS files in " + dir + ": " + e.getMessage(), "");
    }
  }

  /**
   * Copies the user's certificate, key and CA into the stack (servers need the key owned by their
   * user, mode 0600).
   */
  public void copyFrom(Path cert, Path key, Path ca) {
    for (Path p : List.of(cert, key, ca)) {
      if (!Files.isReadable(p)) {
        throw StrataException.badInput(
            "TLS file " + p + " does not exist or cannot be read",
            "check security.tls_cert_file, tls_key_file and tls_ca_file, or set them to auto");
      }
    }
    try {
      Files.createDirectories(dir);
      Files.copy(cert, serverCert(), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(key, serverKey(), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(ca, caCert(), StandardCopyOption.REPLACE_EXISTING);
      restrict(serverKey());
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot copy TLS files into " + dir + ": " + e.getMessage(), "");
    }
  }

  private static boolean isExtra(String host) {
    return !List.of("127.0.0.1", "::1", "localhost", "0.0.0.0", "::").contains(host);
  }

  private static String san(String host) {
    return host.matches("[0-9.:]+") ? "IP:" + host : "DNS:" + host;
  }

  private static void restrict(Path key) throws IOException {
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
  }

  private static void run(String... command) {
    Exec.of(command).check();
  }
}
