package dev.strata.cli;

import dev.strata.ops.postgres.ClusterTemplate;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "cache",
    description = {
      "The machine's cache of PostgreSQL cluster templates, which new stacks copy instead of",
      "running initdb: $XDG_CACHE_HOME/strata/templates (default ~/.cache/strata/templates)."
    },
    subcommands = {CacheCommand.Show.class, CacheCommand.Clear.class})
final class CacheCommand {
  @ParentCommand StrataCommand root;

  @Command(
      name = "show",
      description = "Prints the cache folder and the templates in it (one per PostgreSQL build).")
  static final class Show implements Callable<Integer> {
    @ParentCommand CacheCommand cache;

    @Override
    public Integer call() {
      Path folder = ClusterTemplate.cacheRoot();
      List<String> templates = ClusterTemplate.list(folder);
      PrintWriter out = cache.root.out();
      out.println(
          folder + ": " + (templates.isEmpty() ? "empty" : templates.size() + " template(s)"));
      templates.forEach(t -> out.println("  " + t));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "clear",
      description = {
        "Deletes every template. Running stacks are not touched (each has its own copy); the next",
        "new stack runs initdb once and caches its result again."
      })
  static final class Clear implements Callable<Integer> {
    @ParentCommand CacheCommand cache;

    @Override
    public Integer call() {
      Path folder = ClusterTemplate.cacheRoot();
      int removed = ClusterTemplate.clear(folder);
      cache.root.out().println("removed " + removed + " template(s) from " + folder);
      cache.root.out().flush();
      return 0;
    }
  }
}
