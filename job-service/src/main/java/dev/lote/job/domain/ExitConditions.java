package dev.lote.job.domain;

import java.util.ArrayList;
import java.util.List;

import dev.lote.common.error.BatchErrors;

/**
 * A task's {@code exitConditions}: exit options by exact exit code, by inclusive code range, for a
 * task that could not start, for an output upload failure, and a default for any other failure.
 */
public record ExitConditions(
    List<CodeOptions> exitCodes,
    List<RangeOptions> exitCodeRanges,
    ExitOptions preProcessingError,
    ExitOptions fileUploadError,
    ExitOptions defaults) {

  public record CodeOptions(int code, ExitOptions options) {}

  public record RangeOptions(int start, int end, ExitOptions options) {}

  public static final ExitConditions NONE = new ExitConditions(List.of(), List.of(), null, null, null);

  /**
   * The resolved options for a process that exited with {@code exitCode}: an exact code first, then
   * a containing range, then (for non-zero codes only) the default.
   */
  public ExitOptions forExitCode(int exitCode) {
    boolean success = exitCode == 0;
    for (CodeOptions c : exitCodes) {
      if (c.code() == exitCode) {
        return c.options().resolve(success);
      }
    }
    for (RangeOptions r : exitCodeRanges) {
      if (exitCode >= r.start() && exitCode <= r.end()) {
        return r.options().resolve(success);
      }
    }
    if (!success && defaults != null) {
      return defaults.resolve(false);
    }
    return ExitOptions.UNSET.resolve(success);
  }

  /** The resolved options for a task whose process could not start (a resource file failed, for example). */
  public ExitOptions forPreProcessingError() {
    ExitOptions given = preProcessingError != null ? preProcessingError : defaults;
    return (given != null ? given : ExitOptions.UNSET).resolve(false);
  }

  /** The resolved options for a process that exited 0 but failed afterwards (its output upload, for example). */
  public ExitOptions forFailureAfterSuccessfulExit() {
    ExitOptions given = fileUploadError != null ? fileUploadError : defaults;
    return (given != null ? given : ExitOptions.UNSET).resolve(false);
  }

  /** Whether any of the options names a job action (only allowed when the job acts on task failures). */
  public boolean namesJobAction() {
    return all().stream().anyMatch(o -> o.jobAction() != null);
  }

  private List<ExitOptions> all() {
    List<ExitOptions> all = new ArrayList<>();
    exitCodes.forEach(c -> all.add(c.options()));
    exitCodeRanges.forEach(r -> all.add(r.options()));
    for (ExitOptions o : new ExitOptions[] {preProcessingError, fileUploadError, defaults}) {
      if (o != null) {
        all.add(o);
      }
    }
    return all;
  }

  /** Reads {@code exitConditions} from a task body; NONE when absent. */
  static ExitConditions parse(Props task) {
    Props p = task.object("exitConditions");
    if (p == null) {
      return NONE;
    }
    List<CodeOptions> codes = new ArrayList<>();
    for (Props item : p.objects("exitCodes")) {
      Integer code = item.integer("code");
      if (code == null) {
        throw BatchErrors.missingProperty(item.name("code"));
      }
      codes.add(new CodeOptions(code, required(item)));
    }
    List<RangeOptions> ranges = new ArrayList<>();
    for (Props item : p.objects("exitCodeRanges")) {
      Integer start = item.integer("start");
      Integer end = item.integer("end");
      if (start == null) {
        throw BatchErrors.missingProperty(item.name("start"));
      }
      if (end == null) {
        throw BatchErrors.missingProperty(item.name("end"));
      }
      if (start > end) {
        throw BatchErrors.invalidProperty(item.name("end"), end, "The end of an exit code range must not be below its start.");
      }
      ranges.add(new RangeOptions(start, end, required(item)));
    }
    return new ExitConditions(
        codes, ranges, options(p.object("preProcessingError")), options(p.object("fileUploadError")), options(p.object("default")));
  }

  private static ExitOptions required(Props item) {
    Props options = item.object("exitOptions");
    if (options == null) {
      throw BatchErrors.missingProperty(item.name("exitOptions"));
    }
    return options(options);
  }

  private static ExitOptions options(Props p) {
    if (p == null) {
      return null;
    }
    return new ExitOptions(
        p.enumValue("jobAction", ExitOptions.JobAction.class, null),
        p.enumValue("dependencyAction", ExitOptions.DependencyAction.class, null));
  }
}
