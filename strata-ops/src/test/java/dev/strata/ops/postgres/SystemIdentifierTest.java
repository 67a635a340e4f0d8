package dev.strata.ops.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class SystemIdentifierTest {
  /** A control file like PostgreSQL's: identifier first, CRC-32C of what precedes it at 296. */
  private static byte[] control(long identifier, int crcAt) {
    byte[] bytes = new byte[8192];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    b.putLong(0, identifier);
    for (int i = 8; i < crcAt; i++) {
      bytes[i] = (byte) (i * 31);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, crcAt);
    b.putInt(crcAt, (int) crc.getValue());
    return bytes;
  }

  @Test
  void patch_writes_the_identifier_and_a_crc_that_matches_again() {
    byte[] bytes = control(7L, 296);
    assertThat(SystemIdentifier.crcOffset(bytes)).isEqualTo(296);

    assertThat(SystemIdentifier.patch(bytes, 42L)).isTrue();

    assertThat(SystemIdentifier.read(bytes)).isEqualTo(42L);
    assertThat(SystemIdentifier.crcOffset(bytes)).isEqualTo(296);
  }

  @Test
  void a_control_file_without_a_matching_crc_is_left_alone() {
    byte[] bytes = control(7L, 296);
    bytes[100] ^= 1; // the CRC no longer matches: an unknown layout, or a damaged file

    assertThat(SystemIdentifier.patch(bytes, 42L)).isFalse();

    assertThat(SystemIdentifier.read(bytes)).isEqualTo(7L);
  }

  @Test
  void new_identifiers_differ() {
    assertThat(SystemIdentifier.next()).isNotEqualTo(SystemIdentifier.next());
  }
}
