package dev.strata.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.env.PgEndpoint;
import dev.strata.core.env.StackEnvs;
import dev.strata.core.secret.Secrets;
import dev.strata.jdbc.pool.PoolFigures;
import dev.strata.test.StrataStack;
import dev.strata.test.StrataTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolFigures} from a real PgBouncer's admin console: with one server connection, a client
 * holding a transaction makes the next one wait, and SHOW POOLS says so.
 */
@StrataTest(yaml = "pooler:\n  default_pool_size: 1\n")
final class PoolFiguresIT {

  @Test
  void a_client_waiting_for_the_only_server_connection_shows_in_pools_and_stats(StrataStack stack)
      throws Exception {
    String app = stack.stack().spec().security().appRole("app");
    try (Connection holder = stack.connect(stack.env().pooled());
        Connection admin = PoolFigures.connect(monitorThroughPool(stack))) {
      holder.setAutoCommit(false);
      holder.createStatement().execute("select 1");
      CompletableFuture<Void> waiter =
          CompletableFuture.runAsync(
              () -> {
                try (Connection c = stack.connect(stack.env().pooled());
                    Statement s = c.createStatement()) {
                  s.execute("select 2");
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      PoolFigures.Pool waiting = poll(admin, app, Duration.ofSeconds(20)).orElseThrow();
      assertThat(waiting.clientsWaiting()).isEqualTo(1);
      assertThat(waiting.serversActive()).isEqualTo(1);
      assertThat(waiting.mode()).isEqualTo("transaction");
      holder.commit();
      waiter.get(20, TimeUnit.SECONDS);
      List<PoolFigures.Stats> stats = PoolFigures.stats(admin);
      assertThat(stats)
          .anySatisfy(
              s -> {
                assertThat(s.database()).isEqualTo("app");
                assertThat(s.transactions()).isPositive();
                assertThat(s.queries()).isGreaterThanOrEqualTo(s.transactions());
              });
      assertThat(PoolFigures.pools(admin))
          .filteredOn(p -> p.user().equals(app))
          .singleElement()
          .satisfies(p -> assertThat(p.clientsWaiting()).isZero());
    }
  }

  /** Polls SHOW POOLS until the app pool has a waiting client whose wait has begun. */
  private static Optional<PoolFigures.Pool> poll(Connection admin, String app, Duration limit)
      throws SQLException, InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      Optional<PoolFigures.Pool> pool =
          PoolFigures.pools(admin).stream()
              .filter(p -> p.user().equals(app) && p.clientsWaiting() > 0)
              .findFirst();
      if (pool.isPresent()) {
        return pool;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return Optional.empty();
  }

  static PgEndpoint monitorThroughPool(StrataStack stack) {
    String role = stack.stack().spec().security().monitorRole();
    String password =
        Secrets.open(stack.stack().stateDir().secretsFile())
            .require(StackEnvs.postgresSecret(role));
    return stack.env().pooled().as(role, password);
  }
}
