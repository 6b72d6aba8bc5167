package dev.lote.job.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lote.common.error.BatchErrors;

/** One {@code {name, value}} of a job's common or a task's own environment settings. */
public record EnvironmentSetting(String name, String value) {

  static List<EnvironmentSetting> parse(Props parent, String property) {
    List<EnvironmentSetting> settings = new ArrayList<>();
    for (Props item : parent.objects(property)) {
      String name = item.string("name");
      if (name == null || name.isEmpty()) {
        throw BatchErrors.missingProperty(item.name("name"));
      }
      settings.add(new EnvironmentSetting(name, item.string("value")));
    }
    return settings;
  }

  /** The job's settings overlaid with the task's: a task value wins over a job value of the same name. */
  public static Map<String, String> merge(List<EnvironmentSetting> job, List<EnvironmentSetting> task) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvironmentSetting s : job) {
      env.put(s.name(), s.value() == null ? "" : s.value());
    }
    for (EnvironmentSetting s : task) {
      env.put(s.name(), s.value() == null ? "" : s.value());
    }
    return env;
  }
}
