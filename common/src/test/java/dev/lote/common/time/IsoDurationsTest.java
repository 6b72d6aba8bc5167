package dev.lote.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class IsoDurationsTest {

  @Test
  void parsesTheFormsTheSdksSend() {
    assertThat(IsoDurations.parse("PT5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(IsoDurations.parse("P1D")).isEqualTo(Duration.ofDays(1));
    assertThat(IsoDurations.parse("P1DT2H3M4.5S")).isEqualTo(Duration.parse("P1DT2H3M4.5S"));
    assertThat(IsoDurations.parse("PT0.25S")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void serviceUnlimitedValueRoundTrips() {
    Duration d = IsoDurations.parse(IsoDurations.UNLIMITED);
    assertThat(IsoDurations.isUnlimited(d)).isTrue();
    assertThat(IsoDurations.format(d)).isEqualTo(IsoDurations.UNLIMITED);
  }

  @Test
  void formatsLikeTheService() {
    assertThat(IsoDurations.format(Duration.ofMinutes(15))).isEqualTo("PT15M");
    assertThat(IsoDurations.format(Duration.ofDays(7))).isEqualTo("P7D");
    assertThat(IsoDurations.format(Duration.ZERO)).isEqualTo("PT0S");
    assertThat(IsoDurations.format(Duration.ofMillis(1500))).isEqualTo("PT1.5S");
  }

  @Test
  void rejectsWhatIsNotADuration() {
    assertThatThrownBy(() -> IsoDurations.parse("5 minutes")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IsoDurations.parse("P")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IsoDurations.parse("PT")).isInstanceOf(IllegalArgumentException.class);
  }
}
