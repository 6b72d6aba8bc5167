# One image holds every Lote service; docker-compose.yml picks the jar each container runs.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -DskipTests install

FROM eclipse-temurin:17-jdk
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/lote
COPY --from=build /src/gateway/target/gateway.jar \
                  /src/account-service/target/account-service.jar \
                  /src/pool-service/target/pool-service.jar \
                  /src/job-service/target/job-service.jar \
                  /src/scheduler-service/target/scheduler-service.jar \
                  /src/autoscaler/target/autoscaler.jar \
                  /src/node-agent/target/node-agent.jar \
                  /src/cli/target/lote-cli.jar \
                  /opt/lote/
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Xmx384m"
