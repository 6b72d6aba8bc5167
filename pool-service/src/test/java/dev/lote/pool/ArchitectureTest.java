package dev.lote.pool;

import dev.lote.support.test.ArchitectureTestBase;

/** The architecture every Lote module keeps, checked on this module's code. */
class ArchitectureTest extends ArchitectureTestBase {

  // the autoscale formula library, shared by the autoscaler and the pool-service, is no service
  ArchitectureTest() {
    super("dev.lote.pool", "dev.lote.autoscale");
  }
}
