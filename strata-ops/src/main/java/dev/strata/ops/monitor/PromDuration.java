package dev.strata.ops.monitor;

import java.time.Duration;

/** Durations as Prometheus and Alertmanager write them ({@code 90s}, {@code 500ms}, {@code 0s}). */
final class PromDuration {
  private PromDuration() {}

  static String of(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s != 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
