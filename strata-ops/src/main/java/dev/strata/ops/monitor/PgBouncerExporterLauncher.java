package dev.strata.ops.monitor;

/**
 * The launcher of Debian's prometheus-pgbouncer-exporter 1.7. That exporter was written for
 * PgBouncer 1.7: PgBouncer 1.8 renamed {@code SHOW STATS}' {@code total_requests} to {@code
 * total_query_count}, so every scrape fails with a KeyError (HTTP 500) on any PgBouncer Strata
 * runs. It also keeps one connection for its whole life, so a restarted PgBouncer leaves it failing
 * until it is restarted too, and it has no {@code pgbouncer_up}. The launcher fixes the three
 * without touching the package: it reads the columns PgBouncer has now, reconnects on the next
 * scrape after an error, serves {@code pgbouncer_up} (0 while PgBouncer is down, instead of a
 * failed scrape), and adds the pools' {@code maxwait} (the "clients wait too long" alert). For a
 * pooler of several processes ({@code STRATA_PGBOUNCER_SOCKETS}: their Unix socket folders, one per
 * line) it asks each process over its own socket — the shared TCP port reaches whichever process
 * the kernel picks — and labels every series with {@code process}.
 */
final class PgBouncerExporterLauncher {
  private PgBouncerExporterLauncher() {}

  static final String SCRIPT =
      """
      # Written by Strata: runs Debian's prometheus-pgbouncer-exporter 1.7 against PgBouncer >= 1.8.
      import os
      import psycopg2
      from prometheus_client.core import GaugeMetricFamily, REGISTRY
      from prometheus_pgbouncer_exporter import cli, collectors


      class Reconnecting:
          def __init__(self, user, port, host):
              self.args = dict(database='pgbouncer', user=user, port=port, host=host)
              self.conn = None

          def cursor(self):
              if self.conn is None or self.conn.closed:
                  self.conn = psycopg2.connect(**self.args)
                  self.conn.set_session(autocommit=True)
              return self.conn.cursor()

          def drop(self):
              try:
                  if self.conn is not None:
                      self.conn.close()
              except psycopg2.Error:
                  pass
              self.conn = None

          def close(self):
              self.drop()


      def guarded(collect):
          def run(self):
              try:
                  return list(collect(self))
              except (psycopg2.Error, KeyError):
                  self.connection.drop()
                  return []
          return run


      class UpCollector(collectors.PgBouncerCollector):
          # Runs first in a scrape. A connection to a PgBouncer that has restarted since the last
          # scrape fails once: reconnect and ask again before calling it down, so that up says
          # whether PgBouncer answers now and the other collectors get the new connection.
          def collect(self):
              up = 0
              for _ in range(2):
                  try:
                      with self.connection.cursor() as cursor:
                          cursor.execute('SHOW VERSION;')
                          cursor.fetchall()
                      up = 1
                      break
                  except psycopg2.Error:
                      self.connection.drop()
              yield GaugeMetricFamily('pgbouncer_up', 'Whether PgBouncer answered this scrape', value=up)


      collectors.StatsCollector.metrics = {
          'total_query_count': ('queries_pooled_total', 'SQL queries pooled'),
          'total_xact_count': ('transactions_pooled_total', 'SQL transactions pooled'),
          'total_received': ('received_bytes_total', 'Bytes received from clients'),
          'total_sent': ('sent_bytes_total', 'Bytes sent to clients'),
          'total_query_time': ('query_microseconds_total', 'Microseconds spent running queries'),
          'total_wait_time': ('wait_microseconds_total', 'Microseconds clients waited for a server'),
      }
      collectors.PoolsCollector.metrics = dict(collectors.PoolsCollector.metrics)
      collectors.PoolsCollector.metrics['maxwait'] = (
          'max_wait_seconds', 'Age of the oldest waiting client, in seconds')
      collectors.PoolsCollector.metrics['sv_active'] = (
          'active_servers', 'Server connections linked to a client')
      collectors.PoolsCollector.metrics['sv_idle'] = (
          'idle_servers', 'Server connections idle and ready for a client')
      # PgBouncer 1.24 renamed SHOW DATABASES' reserve_pool to reserve_pool_size: keep the columns
      # every PgBouncer since 1.8 has.
      collectors.DatabasesCollector.metrics = {
          'pool_size': ('pool_size', 'Maximum server connections per user and database'),
          'max_connections': ('max_connections', 'Maximum server connections of the database'),
          'current_connections': ('current_connections', 'Server connections of the database now'),
      }
      for c in (collectors.StatsCollector, collectors.PoolsCollector,
                collectors.DatabasesCollector, collectors.ListsCollector):
          c.collect = guarded(c.collect)

      _real_register = REGISTRY.register
      SOCKETS = [line for line in os.environ.get('STRATA_PGBOUNCER_SOCKETS', '').splitlines() if line]


      class Processes:
          # One connection per PgBouncer process of a pooler of several.
          def __init__(self, user, port):
              self.members = [(str(k), Reconnecting(user, port, d))
                              for k, d in enumerate(SOCKETS, start=1)]

          def close(self):
              for _, c in self.members:
                  c.close()


      def per_process(collect):
          # Runs a collector against each process and merges its families, each sample labelled
          # with its process: one series per process, as for any other multi-instance target.
          def run(self):
              connections = self.connection
              if not isinstance(connections, Processes):
                  return list(collect(self))
              merged = {}
              try:
                  for label, c in connections.members:
                      self.connection = c
                      for family in collect(self):
                          family.samples = [s._replace(labels=dict(s.labels, process=label))
                                            for s in family.samples]
                          if family.name in merged:
                              merged[family.name].samples.extend(family.samples)
                          else:
                              merged[family.name] = family
              finally:
                  self.connection = connections
              return list(merged.values())
          return run


      for c in (collectors.StatsCollector, collectors.PoolsCollector,
                collectors.DatabasesCollector, collectors.ListsCollector, UpCollector):
          c.collect = per_process(c.collect)


      def connect(user, port, host):
          connection = Processes(user, port) if SOCKETS else Reconnecting(user, port, host)
          _real_register(UpCollector(connection=connection))
          return connection


      cli.get_connection = connect
      cli.main()
      """;
}
