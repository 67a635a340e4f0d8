package dev.strata.ops.backup;

import java.nio.file.Path;

/**
 * A PostgreSQL started from a backup beside the stack, in {@code .strata/restores/<id>}.
 *
 * @param id the folder's name, e.g. {@code restore-20261202-050102}
 * @param folder its folder: {@code data/} and {@code postgres.log}
 * @param port the free port it listens on
 * @param backupSet the backup set pgBackRest restored
 * @param target where recovery stopped
 * @param restoreMillis from the start of the restore until it answered queries, promoted
 */
public record RestoredInstance(
    String id, Path folder, int port, String backupSet, RestoreTarget target, long restoreMillis) {

  public Path dataDir() {
    return folder.resolve("data");
  }

  public Path log() {
    return folder.resolve("postgres.log");
  }
}
