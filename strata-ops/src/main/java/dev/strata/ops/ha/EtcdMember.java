package dev.strata.ops.ha;

import dev.strata.core.StrataException;
import dev.strata.core.topology.Instance;
import dev.strata.core.topology.Kind;
import dev.strata.ops.component.Component;
import dev.strata.ops.component.ComponentContext;
import dev.strata.ops.process.Binaries;
import dev.strata.ops.process.Binaries.Program;
import dev.strata.ops.process.ConfigFiles;
import dev.strata.ops.process.Logs;
import dev.strata.ops.process.PidFile;
import dev.strata.ops.process.RunAs;
import dev.strata.ops.process.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One etcd member (Debian's etcd-server 3.4) keeping the Patroni cluster's leader key. Members
 * listen on loopback only (client and peer ports), keep their data in their own folder and serve
 * the v2 API, which Patroni is configured to use: with Patroni 3.0.2's etcd3 client a frozen and
 * resumed leader could take its key back and lose acknowledged writes; with v2 it could not.
 */
public final class EtcdMember implements Component {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern VERSION = Pattern.compile("\"etcdserver\"\\s*:\\s*\"([^\"]+)\"");

  private final ComponentContext context;
  private final Instance instance;
  private final Path dir;
  private final RunAs runAs;
  private final HaPorts ports;

  public EtcdMember(ComponentContext context, Instance instance) {
    this.context = context;
    this.instance = instance;
    this.dir = context.folder(instance);
    this.runAs = context.runAs();
    this.ports = new HaPorts(dir, context.spec().security().bind());
  }

  /** The etcd program, installed from Debian's etcd-server by {@code up}. */
  static Path program(boolean install) {
    return Binaries.require(List.of(new Program("etcd", "etcd-server")), install).get("etcd");
  }

  @Override
  public Instance instance() {
    return instance;
  }

  @Override
  public List<String> dependsOn() {
    return List.of();
  }

  @Override
  public List<PortClaim> ports() {
    return List.of(
        new PortClaim(instance.port(), "postgres.etcd_members (etcd client port)"),
        new PortClaim(peerPort(), "postgres.etcd_members (etcd peer port)"));
  }

  private int peerPort() {
    return ports.port("peer");
  }

  /** The client endpoints of every member, for Patroni: {@code 127.0.0.1:PORT,…}. */
  static String clientHosts(ComponentContext context) {
    return context.topology().of(Kind.ETCD).stream()
        .map(i -> "127.0.0.1:" + i.port())
        .collect(Collectors.joining(","));
  }

  private String initialCluster() {
    List<String> members = new ArrayList<>();
    for (Instance member : context.topology().of(Kind.ETCD)) {
      int peer = new HaPorts(context.folder(member), context.spec().security().bind()).port("peer");
      members.add(member.id() + "=http://127.0.0.1:" + peer);
    }
    return String.join(",", members);
  }

  @Override
  public boolean render() {
    ConfigFiles.createDirectories(dir);
    peerPort();
    runAs.give(dir);
    return false;
  }

  @Override
  public boolean start() {
    render();
    if (running()) {
      return false;
    }
    long logStart = Logs.size(log());
    String client = "http://127.0.0.1:" + instance.port();
    String peer = "http://127.0.0.1:" + peerPort();
    Daemon.start(
        runAs,
        List.of(
            program(false).toString(),
            "--name=" + instance.id(),
            "--data-dir=" + dir.resolve("data"),
            "--listen-client-urls=" + client,
            "--advertise-client-urls=" + client,
            "--listen-peer-urls=" + peer,
            "--initial-advertise-peer-urls=" + peer,
            "--initial-cluster=" + initialCluster(),
            "--initial-cluster-state=new",
            "--initial-cluster-token=strata",
            "--enable-v2=true",
            // A loaded machine (two cores, many servers) must not read a slow heartbeat as a
            // dead leader: five times etcd's default election timeout, still far below the rto.
            "--heartbeat-interval=250",
            "--election-timeout=2500",
            "--auto-compaction-retention=1",
            "--logger=zap"),
        log(),
        pidPath());
    // The members start together: each answers /health once a quorum of them is up.
    if (!Wait.until(this::healthy, Duration.ofSeconds(90))) {
      stop();
      throw Logs.startFailure(
          "etcd",
          "it did not report healthy (a quorum of members) within 90 s",
          log(),
          logStart,
          "fix the cause above and run strata up again");
    }
    return true;
  }

  private Path pidPath() {
    return dir.resolve("etcd.pid");
  }

  @Override
  public void stop() {
    new PidFile(pidPath(), "etcd").terminate(Duration.ofSeconds(15));
  }

  @Override
  public void reload() {
    // etcd's flags are read at start only; nothing to reload.
  }

  @Override
  public boolean healthy() {
    return running() && get("/health").map(b -> b.contains("\"true\"")).orElse(false);
  }

  @Override
  public Optional<ProcessHandle> process() {
    return new PidFile(pidPath(), "etcd").process();
  }

  @Override
  public Optional<String> version() {
    if (!running()) {
      return Optional.empty();
    }
    return get("/version").map(VERSION::matcher).filter(Matcher::find).map(m -> m.group(1));
  }

  @Override
  public Path log() {
    return dir.resolve("etcd.log");
  }

  private Optional<String> get(String path) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + path))
              .timeout(Duration.ofSeconds(3))
              .build();
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Refuses an etcd member count Patroni cannot rely on. */
  static void requireOdd(int members) {
    if (members % 2 == 0) {
      throw StrataException.badInput(
          "postgres.etcd_members is "
              + members
              + ": an even count of etcd members tolerates no"
              + " more failures than one fewer, and splits votes",
          "set postgres.etcd_members to 1 or 3 (or 5)");
    }
  }
}
