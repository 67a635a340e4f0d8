package dev.strata.ops.postgres;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Gives a cluster copied from a template a system identifier of its own.
 *
 * <p>A copy would otherwise share the template's identifier with every other copy, and pgBackRest
 * (a stanza checks it), WAL archives and replicas all take that number to mean "the same database
 * system". PostgreSQL has no option to set it, so this writes it where initdb does, in the two
 * places PostgreSQL compares: the first 8 bytes of {@code global/pg_control} (then the control
 * file's CRC-32C, whose offset is found by checking the CRC rather than assumed), and the long page
 * header at the start of each WAL segment ({@code xlp_sysid}, not covered by any CRC), patched only
 * where it holds the old identifier. Safe on a cluster that was shut down cleanly and holds only
 * what initdb made, which is all a template is; the server checks both on its first start.
 */
final class SystemIdentifier {
  /** XLP_LONG_HEADER in a WAL page header's xlp_info. */
  private static final int LONG_HEADER = 0x0002;

  /** Offset of xlp_sysid in XLogLongPageHeaderData (after the 24-byte short header). */
  private static final int WAL_SYSID_AT = 24;

  private static final SecureRandom RANDOM = new SecureRandom();

  private SystemIdentifier() {}

  /**
   * @return whether the cluster in {@code dataDir} now has a new identifier; false when its files
   *     are not as expected (the caller runs initdb instead)
   */
  static boolean renew(Path dataDir) {
    Path control = dataDir.resolve("global").resolve("pg_control");
    try {
      byte[] bytes = Files.readAllBytes(control);
      long old = read(bytes);
      long fresh = next();
      List<Path> segments;
      try (Stream<Path> wal = Files.list(dataDir.resolve("pg_wal"))) {
        segments =
            wal.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).sorted().toList();
      }
      if (segments.isEmpty() || !patch(bytes, fresh)) {
        return false;
      }
      for (Path segment : segments) {
        if (!patchSegment(segment, old, fresh)) {
          return false;
        }
      }
      Files.write(control, bytes);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Like PostgreSQL's own: the time in seconds in the high half, random bits in the low. */
  static long next() {
    return (System.currentTimeMillis() / 1000L) << 32 | (RANDOM.nextInt() & 0xFFFFFFFFL);
  }

  /** The identifier in a control file's bytes. */
  static long read(byte[] control) {
    return ByteBuffer.wrap(control).order(ByteOrder.nativeOrder()).getLong(0);
  }

  /**
   * Writes {@code identifier} into a control file's bytes and its CRC after it.
   *
   * @return false when the CRC is not found exactly once (an unknown layout): nothing is changed
   */
  static boolean patch(byte[] control, long identifier) {
    int crcAt = crcOffset(control);
    if (crcAt < 0) {
      return false;
    }
    ByteBuffer buffer = ByteBuffer.wrap(control).order(ByteOrder.nativeOrder());
    buffer.putLong(0, identifier);
    buffer.putInt(crcAt, (int) crc(control, crcAt));
    return true;
  }

  /** The offset of the one 4-byte-aligned CRC-32C that matches the bytes before it, or -1. */
  static int crcOffset(byte[] control) {
    ByteBuffer buffer = ByteBuffer.wrap(control).order(ByteOrder.nativeOrder());
    int found = -1;
    for (int at = 16; at + 4 <= Math.min(control.length, 1024); at += 4) {
      if ((buffer.getInt(at) & 0xFFFFFFFFL) == crc(control, at)) {
        if (found >= 0) {
          return -1;
        }
        found = at;
      }
    }
    return found;
  }

  /** The segment's long page header, if it carries {@code old}, now carries {@code fresh}. */
  private static boolean patchSegment(Path segment, long old, long fresh) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      byte[] header = new byte[WAL_SYSID_AT + 8];
      file.readFully(header);
      ByteBuffer buffer = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder());
      boolean longHeader = (buffer.getShort(2) & LONG_HEADER) != 0;
      if (!longHeader || buffer.getLong(WAL_SYSID_AT) != old) {
        return false;
      }
      buffer.putLong(WAL_SYSID_AT, fresh);
      file.seek(0);
      file.write(header);
    }
    return true;
  }

  private static long crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return crc.getValue();
  }
}
