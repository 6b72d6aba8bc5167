package dev.lote.job.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;
import dev.lote.job.support.AgentReports;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.LoteTestInfra;

/**
 * The benchmark's shape: 2,000 tasks added in collections of 100 from parallel clients, every one
 * started and completed by agent reports, and the job completing with its last task.
 */
class TaskThroughputTest extends JobServiceTestBase {

  private static final Logger log = LoggerFactory.getLogger(TaskThroughputTest.class);

  @Test
  void twoThousandTasksFlowThroughInCollectionsOfAHundred() throws Exception {
    String job = createJob(uniqueId("bench"), "'onAllTasksComplete':'terminatejob'");
    long start = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<?>> calls = new ArrayList<>();
    for (int c = 0; c < 20; c++) {
      String prefix = "c" + c + "-";
      calls.add(clients.submit(() -> addTasks(job, prefix, 100, "")));
    }
    for (Future<?> f : calls) {
      f.get();
    }
    clients.shutdown();
    long added = System.nanoTime();
    log.info("added 2000 tasks in {} ms", (added - start) / 1_000_000);

    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int c = 0; c < 20; c++) {
        for (int i = 0; i < 100; i++) {
          String task = "c" + c + "-" + i;
          producer.send(record(job, EventTypes.TASK_STARTED,
              new TaskStarted(job, task, AgentReports.POOL, AgentReports.NODE, "http://127.0.0.1:1", 0, 1, java.time.Instant.now())));
          producer.send(record(job, EventTypes.TASK_COMPLETED,
              new TaskCompleted(job, task, AgentReports.POOL, AgentReports.NODE, "http://127.0.0.1:1", 0, 1, 0,
                  java.time.Instant.now(), java.time.Instant.now(), EndReason.SUCCEEDED, null)));
        }
      }
      producer.flush();
    }
    long reported = System.nanoTime();

    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> "completed".equals(job(job).path("state").asString()));
    long done = System.nanoTime();
    log.info("applied 4000 agent reports in {} ms after they were published", (done - reported) / 1_000_000);
    assertThat(http.get("/jobs/" + job + "/taskcounts").json().path("taskCounts").path("succeeded").asInt()).isEqualTo(2000);
    assertThat(job(job).path("executionInfo").path("terminateReason").asString()).isEqualTo("AllTasksComplete");
  }

  private ProducerRecord<String, byte[]> record(String job, String type, Object payload) {
    return new ProducerRecord<>(Topics.TASK_REPORTS, job, KAFKA.codec().encode(KAFKA.envelope(type, ACCOUNT, job, payload)));
  }

  private static KafkaProducer<String, byte[]> producer() {
    java.util.Properties p = new java.util.Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LoteTestInfra.kafkaBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }
}
