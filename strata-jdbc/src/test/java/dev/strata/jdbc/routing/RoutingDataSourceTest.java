package dev.strata.jdbc.routing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoutingDataSourceTest {
  @Test
  void comparesLsnsByValueNotText() {
    assertTrue(RoutingDataSource.compare("0/A0000000", "0/9FFFFFFF") > 0);
    assertTrue(RoutingDataSource.compare("1/0", "0/FFFFFFFF") > 0);
    assertTrue(RoutingDataSource.compare("0/16B3748", "0/16B3748") == 0);
    assertTrue(RoutingDataSource.compare("0/9", "0/10") < 0);
  }
}
