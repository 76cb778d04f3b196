package io.celaest.server.licensing;

import io.celaest.server.CelaestApplication;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import io.celaest.server.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A license whose expiry fell while its only node was down expires as soon as a node is back: the deadline is a row
 * of db-scheduler's table, and the scheduler polls only once the context is ready. (It used to poll earlier, run
 * the due deadline before Axon's deadline manager existed, fail, and wait minutes for its retry.) The node runs on
 * a database of its own, so that no other node can run the deadline meanwhile.
 */
class ExpiryAfterRestartTest {

    @Test
    void aDeadlineThatFellDueWhileTheNodeWasDownRunsWhenItStarts() throws Exception {
        String database = "celaest_restart_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = new TestDatabase().connectAsSuperuser(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database + " OWNER " + TestDatabase.user());
        }
        String url = TestDatabase.url().replaceFirst("/[^/?]+(\\?.*)?$", "/" + database + "$1");
        Path home = Files.createTempDirectory("celaest-restart");
        try {
            Instant end;
            String licenseId;
            ConfigurableApplicationContext node = start(url, home);
            try {
                Api api = api(node);
                Fixtures.Tenant tenant = Fixtures.tenant(api, "professional");
                end = Instant.now().plusSeconds(4);
                Api.Response issued = api.call("POST", "/api/v1/organizations/" + tenant.id() + "/licenses",
                        PlatformTest.ADMIN_KEY, Map.of("plan", "professional", "type", "subscription",
                                "expiresAt", end.toString()));
                assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
                licenseId = issued.json().get("id").asText();
            } finally {
                node.close();
            }
            assertThat(Instant.now()).as("the node stopped before the expiry").isBefore(end);
            // the expiry falls while no node runs
            await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(end.plusSeconds(2)));

            Instant restarted = Instant.now();
            ConfigurableApplicationContext again = start(url, home);
            try {
                Api api = api(again);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                        "expired".equals(api.call("GET", "/api/v1/licenses/" + licenseId, PlatformTest.ADMIN_KEY, null)
                                .json().get("status").asText()));
                assertThat(Duration.between(restarted, Instant.now())).isLessThan(Duration.ofSeconds(60));
            } finally {
                again.close();
            }
        } finally {
            try (Connection c = new TestDatabase().connectAsSuperuser(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    private static ConfigurableApplicationContext start(String url, Path home) {
        return new SpringApplicationBuilder(CelaestApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + url,
                "--spring.datasource.username=" + TestDatabase.user(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--celaest.admin-api-key=" + PlatformTest.ADMIN_KEY,
                "--celaest.master-key=" + PlatformTest.MASTER_KEY,
                "--celaest.audit.signing-key=" + PlatformTest.AUDIT_SIGNING_KEY,
                "--celaest.home=" + home);
    }

    private static Api api(ConfigurableApplicationContext node) {
        return new Api("http://localhost:" + ((WebServerApplicationContext) node).getWebServer().getPort());
    }
}
