package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.sun.net.httpserver.HttpServer;

import dev.lote.common.auth.SharedKey;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventJson;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;

/**
 * A client that stops reading is dropped, not buffered for: the stream's write waits, its
 * consumer reads no further, and once a write has waited {@code server.tomcat.connection-timeout}
 * (2 s here, 60 s in the gateway's configuration) the connection is closed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.tomcat.connection-timeout=2s")
class EventStreamSlowClientTest {

  static final HttpServer accounts = StandIns.serve(Map.of("/internal/accounts/", StandIns.accountWithKey(GatewayTest.KEY)));
  /** Far more than the socket buffers of both ends hold. */
  static final int EVENTS = 1500;
  static final int PAD = 4000;

  @DynamicPropertySource
  static void wiring(DynamicPropertyRegistry r) {
    r.add("lote.gateway.account-url", () -> StandIns.url(accounts));
    r.add("lote.gateway.events.kafka", LoteTestInfra::kafkaBootstrapServers);
  }

  @AfterAll
  static void stop() {
    accounts.stop(0);
  }

  @LocalServerPort int port;

  @Test
  void aClientThatStopsReadingIsDroppedWithTheConnectionClosed() throws Exception {
    String job = "slow-" + UUID.randomUUID().toString().substring(0, 8);
    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      String date = SignedRequests.now();
      SharedKey.Request signed = new SharedKey.Request("GET", "/events", "jobId=" + job, h -> h.equalsIgnoreCase("ocp-date") ? date : null, List.of("ocp-date"));
      String signature = SharedKey.sign(GatewayTest.KEY, SharedKey.stringToSign(signed, "lote", null));
      OutputStream out = client.getOutputStream();
      out.write(("GET /events?jobId=" + job + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nocp-date: " + date
              + "\r\nAuthorization: SharedKey lote:" + signature + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = client.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 200");

      long published = publish(job);
      // the client reads nothing for longer than the server waits on a write
      Thread.sleep(10_000);

      client.setSoTimeout(30_000);
      long read = 0;
      byte[] buffer = new byte[64 * 1024];
      int n;
      try {
        while ((n = in.read(buffer)) >= 0) {
          read += n;
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the stream was not closed: " + read + " bytes read, then nothing for 30 s", e);
      }
      assertThat(read).as("the stream ended before it had written what was published").isLessThan(published);
    }
  }

  private static String readHead(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).isNotNegative();
      head.append((char) c);
    }
    return head.toString();
  }

  /** Publishes {@link #EVENTS} large task.completed events of the job; returns their size on the wire. */
  private static long publish(String job) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LoteTestInfra.kafkaBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    String pad = "x".repeat(PAD);
    long bytes = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      List<Future<?>> acks = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        Instant now = Instant.now();
        TaskCompleted done = new TaskCompleted(job, "t" + i, "pool1", "node1", null, 0, 1, 1, now, now, EndReason.EXIT_CODE, pad);
        byte[] value = EventJson.newMapper().writeValueAsBytes(
            EventEnvelope.of(EventTypes.TASK_COMPLETED, "lote", job, now, null, EventJson.newMapper().valueToTree(done)));
        bytes += value.length;
        acks.add(producer.send(new ProducerRecord<>(Topics.TASK_REPORTS, job, value)));
      }
      for (Future<?> ack : acks) {
        ack.get();
      }
    }
    return bytes;
  }
}
