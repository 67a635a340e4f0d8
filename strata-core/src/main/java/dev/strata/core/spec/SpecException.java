package dev.strata.core.spec;

import dev.strata.core.ErrorCode;
import dev.strata.core.StrataException;
import java.util.List;
import java.util.stream.Collectors;

/** strata.yaml is not valid. Lists every problem found, each with file:line:column. */
public final class SpecException extends StrataException {
  private static final long serialVersionUID = 1L;

  private final transient List<SpecProblem> problems;

  public SpecException(List<SpecProblem> problems) {
    super(
        ErrorCode.BAD_INPUT,
        problems.stream().map(SpecProblem::toString).collect(Collectors.joining("\n")),
        "correct strata.yaml (`strata init --print` shows every key with its default and what it"
            + " allows); nothing was started");
    this.problems = List.copyOf(problems);
  }

  public List<SpecProblem> problems() {
    return problems;
  }
}
