package dev.strata.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/** What the shared-stack classes saw: one stack folder for all of them. */
final class SharedStacks {
  private static final AtomicReference<Path> HOME = new AtomicReference<>();

  private SharedStacks() {}

  static void seen(StrataStack stack) {
    HOME.compareAndSet(null, stack.home());
    assertThat(stack.home()).as("every shared class gets the same stack").isEqualTo(HOME.get());
  }
}
