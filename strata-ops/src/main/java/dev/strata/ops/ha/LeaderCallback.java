package dev.strata.ops.ha;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The script Patroni runs on a role change ({@code on_role_change}, {@code on_start}): on the node
 * that became leader it points PgBouncer's databases at this node's port (and the read databases at
 * a running replica, or at itself when none runs yet), writes {@code .strata/patroni/leader}, and
 * sends PgBouncer SIGHUP. On a node that starts or is demoted as a replica it points the read
 * databases at that node and leaves the leader lines alone: after a switchover the old leader is
 * still restarting when the new one's callback runs, so the reads would stay on the leader.
 * PgBouncer reloads without dropping clients: a client waiting for a server connection gets one on
 * the new leader. Python, because Patroni is Python: it is on every machine that runs Patroni.
 */
final class LeaderCallback {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LeaderCallback() {}

  /**
   * @param name this node's name ({@code postgres-2})
   * @param restPort this node's Patroni REST port, to ask which replica runs
   * @param pgPorts every node's PostgreSQL port, by name
   * @param databases the databases of strata.yaml
   * @param socketDir PostgreSQL's socket folder (PgBouncer reaches the nodes over it)
   * @param databasesIni PgBouncer's included databases file
   * @param pgbouncerPid the first PgBouncer process's pid file ({@code pgbouncer.pid}); the script
   *     signals the others' ({@code pgbouncer-2.pid}, ...) beside it too
   * @param leaderFile {@code .strata/patroni/leader}
   */
  static String render(
      String name,
      int restPort,
      Map<String, Integer> pgPorts,
      List<String> databases,
      Path socketDir,
      Path databasesIni,
      Path pgbouncerPid,
      Path leaderFile) {
    Map<String, Object> conf = new LinkedHashMap<>();
    conf.put("name", name);
    conf.put("rest_port", restPort);
    conf.put("ports", pgPorts);
    conf.put("databases", databases);
    conf.put("socket", socketDir.toString());
    conf.put("ini", databasesIni.toString());
    conf.put("pgbouncer_pid", pgbouncerPid.toString());
    conf.put("leader_file", leaderFile.toString());
    String json;
    try {
      json = JSON.writeValueAsString(conf);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return SCRIPT.replace("@CONF@", json.replace("\\", "\\\\").replace("'", "\\'"));
  }

  private static final String SCRIPT =
      """
      #!/usr/bin/python3
      # Written by strata up; changes here are overwritten. Patroni runs it as
      # on_role_change / on_start with: ACTION ROLE CLUSTER.
      import glob, json, os, signal, sys, urllib.request

      CONF = json.loads('@CONF@')

      def running_replica():
          try:
              url = 'http://127.0.0.1:%d/cluster' % CONF['rest_port']
              with urllib.request.urlopen(url, timeout=2) as r:
                  members = json.load(r).get('members', [])
          except Exception:
              return None
          ranked = sorted(
              (m for m in members
               if m.get('name') != CONF['name'] and m.get('name') in CONF['ports']
               and m.get('role') in ('sync_standby', 'replica')
               and m.get('state') not in ('stopped', 'crashed', 'start failed')),
              key=lambda m: (m.get('state') not in ('running', 'streaming'),
                             m.get('role') != 'sync_standby', m.get('name')))
          return ranked[0]['name'] if ranked else None

      def write(path, text, mode):
          tmp = path + '.tmp'
          with open(tmp, 'w') as f:
              f.write(text)
          os.chmod(tmp, mode)
          os.replace(tmp, path)

      def reload_pgbouncer():
          # Every PgBouncer process of the pooler: pgbouncer.pid, pgbouncer-2.pid, ...
          pid_file = CONF['pgbouncer_pid']
          for path in [pid_file] + sorted(glob.glob(pid_file[:-len('.pid')] + '-*.pid')):
              try:
                  with open(path) as f:
                      os.kill(int(f.read().split()[0]), signal.SIGHUP)
              except (OSError, ValueError, IndexError):
                  pass  # not running: it reads the file when it starts

      def read_here(me):
          # This node runs as a replica: the read databases may point at it. The leader lines are
          # the leader's callback's alone: a replica's view of who leads may be stale.
          try:
              with open(CONF['ini']) as f:
                  current = f.read().splitlines()
          except OSError:
              return 0  # no file yet: the leader's callback writes it
          lines = []
          for line in current:
              name = line.split('=', 1)[0].strip()
              if name.endswith('_read') and name[:-len('_read')] in CONF['databases']:
                  db = name[:-len('_read')]
                  line = ('%s_read = host=%s port=%d dbname=%s'
                          % (db, CONF['socket'], CONF['ports'][me], db))
              lines.append(line)
          if lines != current:
              write(CONF['ini'], '\\n'.join(lines) + '\\n', 0o600)
              reload_pgbouncer()
          return 0

      def main(argv):
          role = argv[2] if len(argv) > 2 else ''
          me = CONF['name']
          if role == 'replica':
              return read_here(me)
          if role not in ('master', 'primary', 'leader'):
              return 0
          replica = running_replica() or me
          lines = ['; Written by the Patroni callback of %s: the current leader.' % me,
                   '[databases]']
          for db in CONF['databases']:
              lines.append('%s = host=%s port=%d dbname=%s'
                           % (db, CONF['socket'], CONF['ports'][me], db))
              lines.append('%s_read = host=%s port=%d dbname=%s'
                           % (db, CONF['socket'], CONF['ports'][replica], db))
          write(CONF['ini'], '\\n'.join(lines) + '\\n', 0o600)
          os.makedirs(os.path.dirname(CONF['leader_file']), exist_ok=True)
          write(CONF['leader_file'], me + '\\n', 0o644)
          reload_pgbouncer()
          return 0

      sys.exit(main(sys.argv))
      """;
}
