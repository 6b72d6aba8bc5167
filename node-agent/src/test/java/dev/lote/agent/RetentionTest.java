package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

  @TempDir Path root;

  /** A clock a test moves on by hand. */
  static final class Manual extends Clock {
    Instant now = Instant.parse("2026-03-01T10:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void pass(Duration d) {
      now = now.plus(d);
    }
  }

  private AgentConfig cfg() {
    return AgentConfig.parse(new String[] {"--lote.node.id=n1", "--lote.node.pool-id=p", "--lote.node.root=" + root});
  }

  private Path taskDir(String job, String task) throws Exception {
    Path dir = cfg().taskDir(job, task);
    Files.createDirectories(dir.resolve("wd/sub"));
    Files.writeString(dir.resolve("wd/sub/out.txt"), "x");
    return dir;
  }

  @Test
  void aTaskDirectoryGoesOnlyOnceItsRetentionTimeHasPassed() throws Exception {
    Manual clock = new Manual();
    Retention retention = Retention.open(cfg().retentionFile(), cfg(), clock);
    Path dir = taskDir("job", "t1");
    Path other = taskDir("job", "t2");

    retention.ended(new Retention.TaskRef("job", "t1"), 5_000);
    retention.ended(new Retention.TaskRef("job", "t2"), Duration.ofDays(7).toMillis());
    clock.pass(Duration.ofSeconds(4));
    retention.sweep();
    assertThat(dir).exists();
    assertThat(retention.removed("job", "t1")).isFalse();

    clock.pass(Duration.ofSeconds(1));
    retention.sweep();
    assertThat(dir).doesNotExist();
    assertThat(other).exists();
    assertThat(retention.removed("job", "t1")).isTrue();
    assertThat(retention.removed("job", "t2")).isFalse();
    assertThat(dir.getParent()).as("the job's directory stays for its other tasks").exists();
  }

  @Test
  void dueRemovalsAndRemovedTasksSurviveARestartOfTheAgent() throws Exception {
    Manual clock = new Manual();
    Retention first = Retention.open(cfg().retentionFile(), cfg(), clock);
    Path due = taskDir("job", "due");
    taskDir("job", "gone");
    first.ended(new Retention.TaskRef("job", "due"), 60_000);
    first.ended(new Retention.TaskRef("job", "gone"), 0);
    first.sweep();
    first.close();

    clock.pass(Duration.ofMinutes(2));
    Retention next = Retention.open(cfg().retentionFile(), cfg(), clock);
    assertThat(next.removed("job", "gone")).isTrue();
    assertThat(due).exists();
    next.sweep();
    assertThat(due).doesNotExist();
    assertThat(next.removed("job", "due")).isTrue();
  }

  @Test
  void anotherAttemptOfTheTaskKeepsItsDirectory() throws Exception {
    Manual clock = new Manual();
    Retention retention = Retention.open(cfg().retentionFile(), cfg(), clock);
    Path dir = taskDir("job", "again");
    retention.ended(new Retention.TaskRef("job", "again"), 1_000);

    retention.reused(new Retention.TaskRef("job", "again"));
    clock.pass(Duration.ofSeconds(2));
    retention.sweep();
    assertThat(dir).exists();
    retention.close();

    Retention restarted = Retention.open(cfg().retentionFile(), cfg(), clock);
    restarted.sweep();
    assertThat(dir).as("kept across a restart too").exists();
    assertThat(restarted.removed("job", "again")).isFalse();
  }
}
