package dev.strata.ops.process;

import com.sun.security.auth.module.UnixSystem;
import dev.strata.core.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The OS user the servers run as. PostgreSQL and PgBouncer refuse to run as root, so when Strata
 * runs as root the servers run as an unprivileged user ({@code security.run_as}, default {@code
 * postgres}) through {@code runuser}, and that user is given the server folders. Otherwise they run
 * as the current user.
 */
public final class RunAs {
  private final String user;
  private final boolean switching;
  private final UserPrincipal principal;

  private RunAs(String user, boolean switching, UserPrincipal principal) {
    this.user = user;
    this.switching = switching;
    this.principal = principal;
  }

  /**
   * @param unprivileged the user to switch to when running as root
   * @throws StrataException when running as root and that user does not exist
   */
  public static RunAs forCurrentProcess(String unprivileged) {
    UnixSystem system = new UnixSystem();
    if (system.getUid() != 0) {
      return new RunAs(system.getUsername(), false, null);
    }
    try {
      UserPrincipal principal =
          Path.of("/")
              .getFileSystem()
              .getUserPrincipalLookupService()
              .lookupPrincipalByName(unprivileged);
      return new RunAs(unprivileged, true, principal);
    } catch (UserPrincipalNotFoundException e) {
      throw StrataException.environment(
          "strata runs as root, and the servers must run as an unprivileged user, but user '"
              + unprivileged
              + "' (security.run_as) does not exist",
          "install postgresql (it creates the postgres user), set security.run_as to an existing"
              + " user, or run strata as a normal user");
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot look up user " + unprivileged + ": " + e.getMessage(), "");
    }
  }

  /** The OS user the servers run as. */
  public String user() {
    return user;
  }

  /** Whether commands are run through {@code runuser} (Strata itself is root). */
  public boolean switching() {
    return switching;
  }

  /** The command, run as the servers' user. */
  public List<String> wrap(List<String> command) {
    if (!switching) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** An {@link Exec} of the command, run as the servers' user. */
  public Exec exec(String... command) {
    return Exec.of(wrap(List.of(command)));
  }

  /** Makes the servers' user own {@code dir} and everything in it (a no-op unless switching). */
  public void give(Path dir) {
    if (!switching) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setOwner(principal);
      }
    } catch (IOException e) {
      throw StrataException.environment(
          "cannot give " + dir + " to user " + user + ": " + e.getMessage(), "");
    }
  }

  /**
   * Checks that the servers' user can reach {@code dir}: every folder above it must let others (or
   * that user) pass. A JDK temporary folder, for one, is created 0700.
   *
   * @throws StrataException naming the first folder in the way and the chmod that fixes it
   */
  public void checkReachable(Path dir) {
    if (!switching) {
      return;
    }
    for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        boolean ownedByUser = Files.getOwner(p).equals(principal);
        if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE) && !ownedByUser) {
          throw StrataException.environment(
              "the servers run as user '"
                  + user
                  + "', who cannot reach "
                  + dir
                  + ": "
                  + p
                  + " is closed to other users",
              "run: chmod o+x " + p + "   (or keep the project in a folder others can traverse)");
        }
      } catch (IOException e) {
        throw StrataException.environment("cannot inspect " + p + ": " + e.getMessage(), "");
      }
    }
  }
}
