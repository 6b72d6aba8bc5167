package dev.lote.job.persistence;

import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.job.domain.EnvironmentSetting;
import dev.lote.job.domain.JobSchedule;
import dev.lote.job.domain.JobScheduleState;
import dev.lote.job.domain.Schedule;
import dev.lote.job.persistence.JobRepository.Lock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/** The job schedules, one row each; the schedule runner finds them by {@code wake_time}. */
@Repository
public class JobScheduleRepository {

  private static final String COLUMNS =
      "account, id, display_name, schedule, job_specification, metadata, state, state_time, previous_state, previous_state_time,"
          + " creation_time, last_modified, version, next_run_time, wake_time, jobs_made, recent_job_id, end_time";

  /** A schedule the runner is to look at. */
  public record Ref(String account, String scheduleKey) {}

  private final JdbcTemplate jdbc;
  private final JsonMapper json;

  public JobScheduleRepository(JdbcTemplate jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** Inserts a new schedule; false when the account already has one with that key. */
  public boolean insert(JobSchedule s) {
    return jdbc.update(
            "insert into job_schedule (schedule_key, " + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict do nothing",
            s.key(), s.account(), s.id(), s.displayName(), schedule(s.schedule()), json.writeValueAsString(s.jobSpecification()),
            metadata(s.metadata()), s.state().wire(), ts(s.stateTime()), s.previousState() == null ? null : s.previousState().wire(),
            ts(s.previousStateTime()), ts(s.creationTime()), ts(s.lastModified()), s.version(), ts(s.nextRunTime()), ts(s.wakeTime()),
            s.jobsMade(), s.recentJobId(), ts(s.endTime()))
        == 1;
  }

  public void update(JobSchedule s) {
    jdbc.update(
        "update job_schedule set display_name = ?, schedule = ?, job_specification = ?, metadata = ?, state = ?, state_time = ?,"
            + " previous_state = ?, previous_state_time = ?, last_modified = ?, version = ?, next_run_time = ?, wake_time = ?,"
            + " jobs_made = ?, recent_job_id = ?, end_time = ? where account = ? and schedule_key = ?",
        s.displayName(), schedule(s.schedule()), json.writeValueAsString(s.jobSpecification()), metadata(s.metadata()), s.state().wire(),
        ts(s.stateTime()), s.previousState() == null ? null : s.previousState().wire(), ts(s.previousStateTime()), ts(s.lastModified()),
        s.version(), ts(s.nextRunTime()), ts(s.wakeTime()), s.jobsMade(), s.recentJobId(), ts(s.endTime()), s.account(), s.key());
  }

  /** Sets when the runner looks at the schedule next, and nothing else. */
  public void postpone(String account, String scheduleKey, Instant until) {
    jdbc.update("update job_schedule set wake_time = ? where account = ? and schedule_key = ?", ts(until), account, scheduleKey);
  }

  public void delete(String account, String scheduleKey) {
    jdbc.update("delete from job_schedule_statistics where account = ? and schedule_key = ?", account, scheduleKey);
    jdbc.update("delete from job_schedule where account = ? and schedule_key = ?", account, scheduleKey);
  }

  public Optional<JobSchedule> find(String account, String scheduleKey, Lock lock) {
    String clause = lock == Lock.NONE ? "" : lock == Lock.SHARE ? " for share" : " for no key update";
    return jdbc.query("select " + COLUMNS + " from job_schedule where account = ? and schedule_key = ?" + clause, this::row, account, scheduleKey)
        .stream()
        .findFirst();
  }

  /** Up to {@code limit} schedules of the account after the given key, in key order. */
  public List<JobSchedule> page(String account, String afterKey, int limit) {
    return jdbc.query(
        "select " + COLUMNS + " from job_schedule where account = ? and schedule_key > ? order by schedule_key limit ?",
        this::row, account, afterKey, limit);
  }

  /** The schedules to look at by {@code now}, at most {@code limit}; each is locked and read again when acted on. */
  public List<Ref> due(Instant now, int limit) {
    return jdbc.query(
        "select account, schedule_key from job_schedule where wake_time <= ? order by wake_time limit ?",
        (rs, i) -> new Ref(rs.getString(1), rs.getString(2)), ts(now), limit);
  }

  /** The earliest time any schedule is to be looked at; empty when none waits for a time. */
  public Optional<Instant> nextWake() {
    return Optional.ofNullable(jdbc.queryForObject("select min(wake_time) from job_schedule", java.sql.Timestamp.class)).map(java.sql.Timestamp::toInstant);
  }

  /** Whether the account has a job schedule with this key (jobs and schedules share their ids). */
  public boolean exists(String account, String key) {
    return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from job_schedule where account = ? and schedule_key = ?)", Boolean.class, account, key));
  }

  private String schedule(Schedule s) {
    return json.writeValueAsString(s.wire());
  }

  private Schedule schedule(String text) {
    Map<String, String> wire = new LinkedHashMap<>();
    json.readTree(text).properties().forEach(e -> wire.put(e.getKey(), e.getValue().stringValue()));
    return Schedule.fromWire(wire);
  }

  private String metadata(List<EnvironmentSetting> items) {
    if (items == null || items.isEmpty()) {
      return null;
    }
    ArrayNode array = json.createArrayNode();
    items.forEach(s -> array.addObject().put("name", s.name()).put("value", s.value()));
    return json.writeValueAsString(array);
  }

  private List<EnvironmentSetting> readMetadata(String text) {
    List<EnvironmentSetting> items = new ArrayList<>();
    if (text != null) {
      for (JsonNode n : json.readTree(text)) {
        items.add(new EnvironmentSetting(n.get("name").stringValue(), n.get("value").stringValue()));
      }
    }
    return items;
  }

  private JobSchedule row(ResultSet rs, int i) throws SQLException {
    String previous = rs.getString("previous_state");
    return new JobSchedule(
        rs.getString("account"), rs.getString("id"), rs.getString("display_name"), schedule(rs.getString("schedule")),
        json.readTree(rs.getString("job_specification")), readMetadata(rs.getString("metadata")),
        JobScheduleState.fromWire(rs.getString("state")), instant(rs, "state_time"),
        previous == null ? null : JobScheduleState.fromWire(previous), instant(rs, "previous_state_time"), instant(rs, "creation_time"),
        instant(rs, "last_modified"), rs.getLong("version"), instant(rs, "next_run_time"), instant(rs, "wake_time"), rs.getInt("jobs_made"),
        rs.getString("recent_job_id"), instant(rs, "end_time"));
  }
}
