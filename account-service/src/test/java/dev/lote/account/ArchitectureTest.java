package dev.lote.account;

import dev.lote.support.test.ArchitectureTestBase;

/** The architecture every Lote module keeps, checked on this module's code. */
class ArchitectureTest extends ArchitectureTestBase {

  ArchitectureTest() {
    super("dev.lote.account");
  }
}
