package dev.lote.pool.domain;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a pool's {@code vmSize} asks of a host. */
public final class VmSizes {

  // Standard_D4s_v3, standard_f16, Basic_A1, Standard_NC6s_v3: the family letters, then the cores
  private static final Pattern SIZE = Pattern.compile("(?:standard|basic)_[a-z]+?(\\d+)[a-z]*(?:_.*)?");

  /** The processors a node of this size takes: the number in an Azure size name, 1 for any other name. */
  public static int cores(String vmSize) {
    if (vmSize == null) {
      return 1;
    }
    Matcher m = SIZE.matcher(vmSize.toLowerCase(Locale.ROOT));
    if (!m.matches() || m.group(1).length() > 4) {
      return 1;
    }
    return Math.max(1, Integer.parseInt(m.group(1)));
  }

  private VmSizes() {}
}
