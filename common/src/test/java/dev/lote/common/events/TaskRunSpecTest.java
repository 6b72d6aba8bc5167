package dev.lote.common.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.TaskEvents.TaskRunSpec;

class TaskRunSpecTest {

  /**
   * Built over the record's components, not a list of them: a component added to the run spec
   * later fails here until {@link TaskRunSpec#withConstraints} carries it over too (a task update
   * must not lose any part of how its next attempts run).
   */
  @Test
  void newConstraintsKeepEveryOtherPartOfTheRun() throws Exception {
    RecordComponent[] components = TaskRunSpec.class.getRecordComponents();
    TaskRunSpec spec = (TaskRunSpec) sample(TaskRunSpec.class);

    TaskRunSpec updated = spec.withConstraints(60_000L, null);

    assertThat(updated.maxWallClockMillis()).isEqualTo(60_000L);
    assertThat(updated.retentionMillis()).isNull();
    for (RecordComponent c : components) {
      if (!c.getName().equals("maxWallClockMillis") && !c.getName().equals("retentionMillis")) {
        assertThat(c.getAccessor().invoke(updated)).as(c.getName()).isEqualTo(c.getAccessor().invoke(spec));
      }
    }
  }

  /** A value of the type that is neither null, empty nor a default; a record of such values. */
  private static Object sample(Class<?> type) {
    if (type == String.class) {
      return "run";
    }
    if (type == int.class || type == Integer.class) {
      return 3;
    }
    if (type == long.class || type == Long.class) {
      return 7L;
    }
    if (type == boolean.class || type == Boolean.class) {
      return true;
    }
    if (type == Map.class) {
      return Map.of("K", "v");
    }
    if (type == List.class) {
      return List.of(new TaskEvents.ResourceFile("http://files/a", "a", null));
    }
    if (type.isRecord()) {
      RecordComponent[] components = type.getRecordComponents();
      Class<?>[] types = new Class<?>[components.length];
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        values[i] = sample(types[i]);
      }
      try {
        return type.getDeclaredConstructor(types).newInstance(values);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no sample value for a component of type " + type);
  }
}
