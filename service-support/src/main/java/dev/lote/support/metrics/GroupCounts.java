package dev.lote.support.metrics;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * A gauge per group of a counting query ({@code select tag1, tag2, count(*) ... group by ...}),
 * read again on each {@link #refresh()}, not on each scrape: a scrape never waits for the
 * database, and a group that is gone drops its series. The query's first columns are the tags'
 * values, in the order of {@code tagNames}; its last column is the value.
 */
public final class GroupCounts {

  private static final Logger log = LoggerFactory.getLogger(GroupCounts.class);

  private final String name;
  private final JdbcTemplate jdbc;
  private final MultiGauge gauge;
  private final String sql;
  private final List<String> tagNames;

  public GroupCounts(MeterRegistry registry, JdbcTemplate jdbc, String name, String description, String sql, String... tagNames) {
    this.name = name;
    this.jdbc = jdbc;
    this.sql = sql;
    this.tagNames = List.of(tagNames);
    this.gauge = MultiGauge.builder(name).description(description).register(registry);
  }

  /** Reads the counts again and replaces the series; while the database is away the last ones stay. */
  public void refresh() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    try {
      read(rows);
    } catch (DataAccessException e) {
      log.warn("{} not refreshed: {}", name, e.getMessage());
      return;
    }
    gauge.register(rows, true);
  }

  private void read(List<MultiGauge.Row<?>> rows) {
    jdbc.query(
        sql,
        rs -> {
          List<Tag> tags = new ArrayList<>(tagNames.size());
          for (int i = 0; i < tagNames.size(); i++) {
            String value = rs.getString(i + 1);
            tags.add(Tag.of(tagNames.get(i), value == null ? "" : value));
          }
          rows.add(MultiGauge.Row.of(Tags.of(tags), rs.getLong(tagNames.size() + 1)));
        });
  }
}
