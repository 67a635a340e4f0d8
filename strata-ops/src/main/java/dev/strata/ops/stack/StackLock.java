package dev.strata.ops.stack;

import dev.strata.core.StrataException;
import dev.strata.core.env.StateDir;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/** An exclusive lock on a stack, so two commands never start or stop its servers at once. */
final class StackLock implements AutoCloseable {
  private static final long WAIT_SECONDS = 120;

  private final FileChannel channel;
  private final FileLock lock;

  private StackLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static StackLock acquire(StateDir dir) {
    StackFiles.createStateDir(dir);
    try {
      FileChannel channel =
          FileChannel.open(dir.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (true) {
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock =
              null; // held by another thread of this JVM (tests, embedding): wait as for a process
        }
        if (lock != null) {
          return new StackLock(channel, lock);
        }
        if (System.nanoTime() > deadline) {
          channel.close();
          throw StrataException.environment(
              "another strata command has held " + dir.lockFile() + " for " + WAIT_SECONDS + " s",
              "wait for it to finish, or find it with: fuser " + dir.lockFile());
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot lock " + dir.lockFile() + ": " + e.getMessage(),
          "check that the state directory is writable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw StrataException.failed("interrupted while waiting for " + dir.lockFile(), "", e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Closing the channel releases the lock in any case.
    }
  }
}
