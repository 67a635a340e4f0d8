package dev.strata.ops.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void a_free_port_is_below_the_ephemeral_range_that_outgoing_connections_take() throws Exception {
    int start = Ports.ephemeralStart();
    assertThat(start).as("this machine's kernel leaves room below its range").isGreaterThan(11_000);
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int port = Ports.free("127.0.0.1");
      assertThat(port).isBetween(10_000, start - 1);
      picked.add(port);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      }
    }
    assertThat(picked).as("random picks, not one port for everyone").hasSizeGreaterThan(10);
  }

  @Test
  void a_port_someone_listens_on_is_never_picked() throws Exception {
    try (ServerSocket held = new ServerSocket()) {
      held.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      for (int i = 0; i < 200; i++) {
        assertThat(Ports.free("127.0.0.1")).isNotEqualTo(held.getLocalPort());
      }
    }
  }
}
