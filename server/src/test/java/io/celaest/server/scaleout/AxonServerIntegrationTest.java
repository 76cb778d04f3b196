package io.celaest.server.scaleout;

import io.celaest.server.CelaestApplication;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import io.celaest.server.support.TestDatabase;
import org.axonframework.test.server.AxonServerContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.DockerClientFactory;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scale-out profile: events and the command/query buses on Axon Server (Testcontainers), read models
 * on PostgreSQL. Needs a Docker engine; where there is none it is skipped, saying so.
 */
@SpringBootTest(classes = CelaestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("axonserver")
@EnabledIf(value = "dockerAvailable", disabledReason = AxonServerIntegrationTest.NO_DOCKER)
class AxonServerIntegrationTest {

    static final String NO_DOCKER = "Skipped: no Docker engine here, and this test runs Axon Server in a container";

    private static AxonServerContainer axonServer;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startAxonServer() {
        axonServer = new AxonServerContainer("axoniq/axonserver:latest-jdk-17").withDevMode(true);
        axonServer.start();
    }

    static boolean dockerAvailable() {
        boolean available = DockerClientFactory.instance().isDockerAvailable();
        if (!available) {
            System.err.println("AxonServerIntegrationTest: " + NO_DOCKER);
        }
        return available;
    }

    @AfterAll
    static void stopAxonServer() {
        if (axonServer != null) {
            axonServer.stop();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("axon.axonserver.servers", () -> axonServer.getAxonServerAddress());
        registry.add("spring.datasource.url", TestDatabase::url);
        registry.add("spring.datasource.username", TestDatabase::user);
        registry.add("spring.datasource.password", TestDatabase::password);
        registry.add("celaest.admin-api-key", () -> PlatformTest.ADMIN_KEY);
        registry.add("celaest.master-key", () -> PlatformTest.MASTER_KEY);
    }

    @Test
    void commandsEventsAndQueriesFlowThroughAxonServer() {
        Api api = new Api("http://localhost:" + port);
        String org = Fixtures.createOrganization(api, "starter");
        Api.Response user = api.call("POST", "/api/v1/organizations/" + org + "/users", PlatformTest.ADMIN_KEY,
                Map.of("email", "axon@server.io", "name", "Axon", "role", "member"));
        assertThat(user.status()).isEqualTo(201);
        Api.Response read = api.call("GET", "/api/v1/organizations/" + org, PlatformTest.ADMIN_KEY, null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("activeUsers").asInt()).isEqualTo(1);
    }
}
