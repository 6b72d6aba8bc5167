package dev.lote.job.domain;

import java.time.Instant;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Builders for domain tests: bodies as JSON with single quotes. */
final class Jobs {

  static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  static JsonNode body(String singleQuoted) {
    return JSON.readTree(singleQuoted.replace('\'', '"'));
  }

  static Job anActiveJob(String extra) {
    String body = "{'id':'job-1','poolInfo':{'poolId':'p'}" + (extra.isEmpty() ? "" : "," + extra) + "}";
    return Job.create("lote", JobDefinition.parse(body(body)), T0);
  }

  /** A task of the job that has been queued for its first attempt. */
  static Task aQueuedTask(Job job, String taskExtra) {
    String body = "{'id':'t1','commandLine':'/bin/true'" + (taskExtra.isEmpty() ? "" : "," + taskExtra) + "}";
    Task t = Task.create(job, TaskDefinition.parse(body(body), job), T0, 0, "request-1");
    t.queued(1);
    return t;
  }

  private Jobs() {}
}
