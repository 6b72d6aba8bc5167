package dev.lote.pool.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.lote.common.events.Topics;
import dev.lote.pool.domain.ReportsPosition;
import dev.lote.pool.domain.ReportsPositionReader;

/**
 * Asks the broker, with a short timeout, how far this service's consumer group has applied
 * {@code lote.node-reports}: committed offsets against the latest ones. The latest offsets are
 * read first, so a report published while the broker is asked is not taken for a backlog.
 */
@Component
public class KafkaReportsPosition implements ReportsPositionReader, DisposableBean {

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final Admin admin;
  private final String group;

  public KafkaReportsPosition(
      @Value("${spring.kafka.bootstrap-servers:127.0.0.1:9092}") String bootstrap, @Value("${lote.consumer-group:pool-service}") String group) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, group + "-liveness");
    this.admin = Admin.create(props);
    this.group = group;
  }

  @Override
  public ReportsPosition read() {
    try {
      admin.describeCluster().clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
      for (TopicPartition tp : partitions()) {
        partitions.put(tp, OffsetSpec.latest());
      }
      Map<Integer, Long> latest = new HashMap<>();
      if (!partitions.isEmpty()) {
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(partitions).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ends.forEach((tp, info) -> latest.put(tp.partition(), info.offset()));
      }
      Map<Integer, Long> committed = new HashMap<>();
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      offsets.forEach(
          (tp, o) -> {
            if (tp.topic().equals(Topics.NODE_REPORTS) && o != null) {
              committed.put(tp.partition(), o.offset());
            }
          });
      return ReportsPosition.of(committed, latest);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ReportsPosition.unreachable("interrupted");
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      return ReportsPosition.unreachable(cause.toString());
    }
  }

  private List<TopicPartition> partitions() throws Exception {
    try {
      TopicDescription topic =
          admin.describeTopics(List.of(Topics.NODE_REPORTS)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(Topics.NODE_REPORTS);
      return topic.partitions().stream().map(p -> new TopicPartition(Topics.NODE_REPORTS, p.partition())).toList();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return List.of(); // no agent has reported yet
      }
      throw e;
    }
  }

  @Override
  public void destroy() {
    admin.close(Duration.ofSeconds(1));
  }
}
