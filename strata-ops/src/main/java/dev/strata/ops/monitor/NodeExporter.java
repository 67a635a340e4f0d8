package dev.strata.ops.monitor;

import dev.strata.core.topology.Instance;
import dev.strata.ops.component.ComponentContext;
import java.util.List;
import java.util.Map;

/**
 * Debian's prometheus-node-exporter with only its filesystem collector: the disk use of the data,
 * WAL and backup folders (the DiskAlmostFull rule), nothing else of the machine. Overlay file
 * systems are kept (node_exporter drops them by default), since a stack in a container lives on
 * one.
 */
final class NodeExporter extends DetachedServer {
  private static final String FS_TYPES_EXCLUDE =
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs"
          + "|iso9660|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs"
          + "|sysfs|tracefs|tmpfs)$";

  NodeExporter(ComponentContext context, Instance instance) {
    super(context, instance, MonitoringBinaries.NODE_EXPORTER);
  }

  @Override
  public List<String> dependsOn() {
    return List.of();
  }

  @Override
  protected Map<String, String> files() {
    return Map.of();
  }

  @Override
  protected List<String> arguments() {
    return List.of(
        "--web.listen-address=" + instance.endpoint(),
        "--collector.disable-defaults",
        "--collector.filesystem",
        "--collector.filesystem.fs-types-exclude=" + FS_TYPES_EXCLUDE,
        "--log.level=warn");
  }

  @Override
  protected String processName() {
    return "prometheus-node-exporter";
  }

  @Override
  protected String healthPath() {
    return "/metrics";
  }
}
