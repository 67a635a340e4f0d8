package dev.strata.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The "Commands:" section of --help with each subcommand's first whole sentence. Picocli lists the
 * first line of a description, and our descriptions wrap across lines, so its list stopped
 * mid-sentence ("Writes the next migration (up and down files in migrations.dir, default
 * migrations/) that").
 */
final class CommandList implements CommandLine.IHelpSectionRenderer {
  private static final int INDENT = 2;

  /** Puts this renderer on {@code cli} and every command below it. */
  static void install(CommandLine cli) {
    cli.getHelpSectionMap()
        .put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, new CommandList());
    cli.getSubcommands().values().forEach(CommandList::install);
  }

  @Override
  public String render(Help help) {
    Map<String, Help> subcommands = help.subcommands();
    if (subcommands.isEmpty()) {
      return "";
    }
    int nameWidth = 0;
    for (String name : subcommands.keySet()) {
      nameWidth = Math.max(nameWidth, name.length());
    }
    nameWidth += INDENT + 2;
    int width = help.commandSpec().usageMessage().width();
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Help> e : subcommands.entrySet()) {
      List<String> lines =
          wrap(summary(e.getValue().commandSpec()), Math.max(20, width - nameWidth - 2));
      String pad = " ".repeat(nameWidth + 2);
      for (int i = 0; i < lines.size(); i++) {
        if (i == 0) {
          String name = " ".repeat(INDENT) + e.getKey();
          out.append(name).append(" ".repeat(nameWidth - name.length()));
        } else {
          out.append(pad);
        }
        out.append(lines.get(i)).append(System.lineSeparator());
      }
    }
    return out.toString();
  }

  /**
   * Words into lines of at most {@code width} characters (a longer word gets a line of its own).
   */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split("\\s+")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }

  /** The first sentence of the command's description, however many lines it spans. */
  static String summary(CommandSpec spec) {
    String text = String.join(" ", spec.usageMessage().description()).strip();
    int from = 0;
    while (true) {
      int dot = text.indexOf(". ", from);
      if (dot < 0) {
        return text;
      }
      String before = text.substring(0, dot);
      if (!before.endsWith("e.g") && !before.endsWith("i.e") && !before.endsWith("etc")) {
        return text.substring(0, dot + 1);
      }
      from = dot + 2;
    }
  }
}
