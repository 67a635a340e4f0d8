package dev.strata.core.secret;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802, RFC 7677), in its {@code
 * SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey} form.
 *
 * <p>Strata gives PostgreSQL the verifier rather than the password, so the password never appears
 * in a server log, and writes the same verifier into PgBouncer's auth file, which then
 * authenticates clients and, with their keys, the server. The salt is derived from the role and the
 * password, so the verifier of a (role, password) pair is always the same string: bringing a stack
 * up twice changes nothing. The passwords are long random strings, so a derived salt costs no
 * security.
 */
public final class ScramVerifier {
  private static final int ITERATIONS = 4096;

  private ScramVerifier() {}

  public static String of(String role, String password) {
    try {
      byte[] salt = Arrays.copyOf(hmac(password.getBytes(UTF_8), "strata-scram-salt:" + role), 16);
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, 256);
      byte[] salted =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      byte[] serverKey = hmac(salted, "Server Key");
      Base64.Encoder b64 = Base64.getEncoder();
      return "SCRAM-SHA-256$"
          + ITERATIONS
          + ":"
          + b64.encodeToString(salt)
          + "$"
          + b64.encodeToString(storedKey)
          + ":"
          + b64.encodeToString(serverKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks PBKDF2WithHmacSHA256 or HmacSHA256", e);
    }
  }

  private static byte[] hmac(byte[] key, String message) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(message.getBytes(UTF_8));
  }
}
