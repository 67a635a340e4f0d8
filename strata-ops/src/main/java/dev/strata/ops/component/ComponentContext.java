package dev.strata.ops.component;

import dev.strata.core.env.StateDir;
import dev.strata.core.secret.Secrets;
import dev.strata.core.spec.StrataSpec;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.core.topology.Topology;
import dev.strata.ops.process.RunAs;
import java.nio.file.Path;

/**
 * What every component of one stack is built from: strata.yaml, the resolved topology, the state
 * folder, the machine's programs, the servers' OS user and the stack's secrets.
 *
 * @param socketDir the folder of PostgreSQL's Unix socket
 */
public record ComponentContext(
    StrataSpec spec,
    Topology topology,
    StateDir dir,
    Tools tools,
    RunAs runAs,
    Secrets secrets,
    Path socketDir) {

  /** The folder of one instance: its data, rendered files, log and pid file. */
  public Path folder(Instance instance) {
    return dir.component(instance.folder());
  }

  /**
   * The PostgreSQL primary, as the pooler and the other engines reach it: with several nodes the
   * last leader Patroni's callback recorded in {@code .strata/patroni/leader}, else the first node.
   */
  public Instance postgresPrimary() {
    if (spec.postgres().highlyAvailable()) {
      Path leader = dir.component("patroni").resolve("leader");
      try {
        if (java.nio.file.Files.isRegularFile(leader)) {
          String name = java.nio.file.Files.readString(leader).trim();
          var recorded = topology.instance(name).filter(i -> i.kind() == Kind.POSTGRES);
          if (recorded.isPresent()) {
            return recorded.get();
          }
        }
      } catch (java.io.IOException e) {
        // unreadable: the first node, as without a record
      }
    }
    return topology.first(Kind.POSTGRES);
  }

  /** The folder of the TLS material (CA, server certificate and key). */
  public Path tlsDir() {
    return dir.tlsDir();
  }
}
