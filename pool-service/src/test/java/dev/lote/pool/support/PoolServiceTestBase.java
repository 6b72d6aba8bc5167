package dev.lote.pool.support;

import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lote.pool.testagent.TestAgents;

/** The pool-service with nodes that are real processes of the fake agent jar. */
public abstract class PoolServiceTestBase extends LocalNodeTestBase {

  protected static final Path AGENT_JAR = TestAgents.fakeAgentJar(STATE);

  @DynamicPropertySource
  static void fakeAgent(DynamicPropertyRegistry registry) {
    localNodes(registry, AGENT_JAR, false);
  }
}
