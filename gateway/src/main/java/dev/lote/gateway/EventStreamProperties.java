package dev.lote.gateway;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The event stream, {@code GET /events}.
 *
 * @param kafka                the broker the stream reads the log from ({@code LOTE_KAFKA})
 * @param maxStreams           how many streams the gateway serves at once; over it, 503 {@code ServerBusy}
 * @param maxStreamsPerAccount how many of them one account may hold, so one account cannot take them all
 * @param heartbeat            how often an idle stream sends a comment, so proxies keep the connection
 *                             and a client that went away is noticed
 */
@ConfigurationProperties("lote.gateway.events")
public record EventStreamProperties(String kafka, int maxStreams, int maxStreamsPerAccount, Duration heartbeat) {}
