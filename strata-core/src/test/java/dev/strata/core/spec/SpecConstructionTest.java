package dev.strata.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The section specs cannot be built by position: code outside the package that calls a constructor
 * with the values in some order (swapped or not) does not compile. Compiles such code against the
 * real classes to show it.
 */
final class SpecConstructionTest {
  @TempDir Path classes;

  @Test
  void a_positional_constructor_call_does_not_compile() {
    for (String call :
        List.of(
            "new PoolerSpec(6432, \"transaction\", 20, 1000)",
            "new PoolerSpec(6432, \"transaction\", 1000, 20)",
            "new RedisSpec(6379, DataSize.ofMegabytes(256), \"aof+rdb\", \"allkeys-lru\")",
            "new PostgresSpec(5432, List.of(\"app\"), Map.of(), List.of(), Optional.empty(),"
                + " Optional.empty())",
            "new SecuritySpec(true, Optional.empty(), Optional.empty(), Optional.empty(),"
                + " \"127.0.0.1\", \"postgres\", \"{db}_app\", \"{db}_owner\", \"{db}_readonly\","
                + " \"strata_monitor\")")) {
      String errors = compile(call);
      assertThat(errors)
          .as(call)
          .isNotEmpty()
          .doesNotContain("cannot find symbol\n  symbol: class");
    }
  }

  @Test
  void the_check_compiles_code_that_is_valid() {
    // Shows the harness itself works: the same snippet reading a spec by its accessors compiles.
    assertThat(compile("StrataSpec.defaults().pooler()")).isEmpty();
  }

  private String compile(String expression) {
    String source =
        "package other;\n"
            + "import dev.strata.core.spec.*;\n"
            + "import java.util.*;\n"
            + "class Probe { Object probe() { return "
            + expression
            + "; } }\n";
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter out = new StringWriter();
    SimpleJavaFileObject file =
        new SimpleJavaFileObject(
            URI.create("string:///other/Probe.java"), SimpleJavaFileObject.Kind.SOURCE) {
          @Override
          public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return source;
          }
        };
    List<String> options =
        List.of(
            "-proc:none",
            "-d",
            classes.toString(),
            "-classpath",
            System.getProperty("java.class.path"));
    boolean ok = javac.getTask(out, null, null, options, null, List.of(file)).call();
    return ok ? "" : out.toString();
  }
}
