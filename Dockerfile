# syntax=docker/dockerfile:1
# One image holds every Lote service; docker-compose.yml names the service each container runs
# (`lote-service <name> [arguments...]`). The runtime is a JRE and runs as uid 10001.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# Poms first: dependencies and plugins are resolved in a layer of their own, so a source change
# reuses it and downloads nothing. go-offline skips the reactor's own modules, which the package
# step builds; checked with an empty local repository: the offline package then succeeds.
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY common/pom.xml common/
COPY service-support/pom.xml service-support/
COPY local-kafka/pom.xml local-kafka/
COPY local-postgres/pom.xml local-postgres/
COPY service-host/pom.xml service-host/
COPY autoscale-formula/pom.xml autoscale-formula/
COPY account-service/pom.xml account-service/
COPY pool-service/pom.xml pool-service/
COPY job-service/pom.xml job-service/
COPY scheduler-service/pom.xml scheduler-service/
COPY node-agent/pom.xml node-agent/
COPY autoscaler/pom.xml autoscaler/
COPY gateway/pom.xml gateway/
COPY cli/pom.xml cli/
COPY system-tests/pom.xml system-tests/
RUN ./mvnw -B -q dependency:go-offline

COPY . .
RUN ./mvnw -o -B -q -DskipTests package \
      -pl account-service,pool-service,job-service,scheduler-service,autoscaler,gateway,node-agent,cli -am

# Each service jar is split into Spring Boot's layers; /layers/<layer>/<service> lets the runtime
# stage copy one layer of all services at once, so a source change only replaces the small ones.
RUN set -eu; \
    for s in account-service pool-service job-service scheduler-service autoscaler gateway; do \
      java -Djarmode=tools -jar "$s/target/$s.jar" extract --layers --launcher --destination "/tmp/extract/$s"; \
      for l in dependencies spring-boot-loader snapshot-dependencies application; do \
        mkdir -p "/layers/$l"; mv "/tmp/extract/$s/$l" "/layers/$l/$s"; \
      done; \
    done; \
    mkdir -p /layers/tools; \
    cp node-agent/target/node-agent.jar cli/target/lote-cli.jar /layers/tools/

FROM eclipse-temurin:17-jre
# curl answers the compose health checks
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 lote \
 && useradd --system --uid 10001 --gid lote --home-dir /var/lib/lote --shell /usr/sbin/nologin lote \
 && mkdir -p /var/lib/lote /var/lib/lote-packages \
 && chown lote:lote /var/lib/lote /var/lib/lote-packages
WORKDIR /opt/lote
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/tools/ ./
COPY --from=build /layers/application/ ./
COPY --chmod=755 docker/lote-service /usr/local/bin/lote-service
ENV JAVA_OPTS="-XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Xmx384m"
USER 10001:10001
ENTRYPOINT ["lote-service"]
CMD ["gateway"]
