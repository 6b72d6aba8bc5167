package dev.lote.job.domain;

import java.util.Locale;

/**
 * What a task's completion does to its job and to the tasks that depend on it. A null field was not
 * given and takes its default from the outcome ({@link #resolve}).
 */
public record ExitOptions(JobAction jobAction, DependencyAction dependencyAction) {

  public enum JobAction {
    NONE,
    DISABLE,
    TERMINATE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public enum DependencyAction {
    SATISFY,
    BLOCK;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final ExitOptions UNSET = new ExitOptions(null, null);

  /** Defaults: a success does nothing to the job and satisfies dependents; a failure terminates and blocks. */
  public ExitOptions resolve(boolean success) {
    return new ExitOptions(
        jobAction != null ? jobAction : success ? JobAction.NONE : JobAction.TERMINATE,
        dependencyAction != null ? dependencyAction : success ? DependencyAction.SATISFY : DependencyAction.BLOCK);
  }
}
