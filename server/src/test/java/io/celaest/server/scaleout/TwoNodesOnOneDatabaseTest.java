package io.celaest.server.scaleout;

import io.celaest.api.platform.ActorKind;
import io.celaest.api.platform.Caller;
import io.celaest.projections.platform.TenantReads;
import io.celaest.server.CelaestApplication;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import io.celaest.server.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scale-out without Axon Server: a second server on the same PostgreSQL, connected as a superuser. Limits
 * still hold exactly when both nodes race for them, because the unique (aggregate, sequence) key rejects the
 * loser's append and the command is retried against the fresh aggregate; tenant isolation holds on the
 * superuser node because reads run as the non-owner role under row-level security.
 */
class TwoNodesOnOneDatabaseTest extends PlatformTest {

    private static ConfigurableApplicationContext secondNode;
    private static Api second;
    private static int secondPort;

    @BeforeEach
    void startSecondNode() throws Exception {
        if (secondNode != null) {
            return;
        }
        // Command-line arguments: they outrank application.yml, as a real second node's would.
        secondNode = new SpringApplicationBuilder(CelaestApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + TestDatabase.url(),
                // The second node logs in as a PostgreSQL superuser: tenant isolation must hold all the same.
                "--spring.datasource.username=" + System.getenv("CELAEST_TEST_SUPER_USER"),
                "--spring.datasource.password=" + System.getenv("CELAEST_TEST_SUPER_PASSWORD"),
                "--celaest.admin-api-key=" + ADMIN_KEY,
                "--celaest.master-key=" + MASTER_KEY,
                "--celaest.audit.signing-key=" + AUDIT_SIGNING_KEY,
                "--celaest.home=" + Files.createTempDirectory("celaest-node2"));
        secondPort = ((WebServerApplicationContext) secondNode).getWebServer().getPort();
        second = new Api("http://localhost:" + secondPort);
    }

    @AfterAll
    static void stopSecondNode() {
        if (secondNode != null) {
            secondNode.close();
        }
    }

    @Test
    void maxUsersHoldsExactlyWhenTwoNodesRace() throws Exception {
        String org = Fixtures.createOrganization(api(), "starter");
        // Both nodes have the organization in their aggregate cache before the race.
        assertThat(second.call("POST", "/api/v1/organizations/" + org + "/users", ADMIN_KEY,
                Map.of("email", "warm@two.io", "name", "Warm", "role", "member")).status()).isEqualTo(201);

        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Api.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Api node = i % 2 == 0 ? api() : second;
            int n = i;
            answers.add(pool.submit(() -> {
                start.await();
                return node.call("POST", "/api/v1/organizations/" + org + "/users", ADMIN_KEY,
                        Map.of("email", "node" + n + "@two.io", "name", "N" + n, "role", "member"));
            }));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Api.Response> answer : answers) {
            statuses.add(answer.get().status());
        }
        pool.shutdown();

        assertThat(statuses).containsOnly(201, 409);
        assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(4);
        await().untilAsserted(() -> assertThat(asAdmin("GET", "/api/v1/organizations/" + org, null)
                .json().get("activeUsers").asInt()).isEqualTo(5));
    }

    @Test
    void aSuperuserConnectedNodeStillIsolatesTenants() {
        Fixtures.Tenant a = Fixtures.tenant(api(), "starter");
        Fixtures.Tenant b = Fixtures.tenant(api(), "starter");
        assertThat(api().call("POST", "/api/v1/organizations/" + a.id() + "/users", a.key(),
                Map.of("email", "a@iso.io", "name", "A", "role", "member")).status()).isEqualTo(201);
        await().untilAsserted(() -> assertThat(second.call("GET", "/api/v1/organizations/" + a.id() + "/users",
                a.key(), null).json().get("items")).hasSize(1));

        assertThat(second.call("GET", "/api/v1/organizations/" + a.id(), b.key(), null).status()).isEqualTo(404);
        assertThat(second.call("GET", "/api/v1/organizations/" + a.id() + "/users", b.key(), null).status())
                .isEqualTo(404);
        assertThat(second.call("GET", "/api/v1/organizations/" + b.id() + "/users", b.key(), null)
                .json().get("items")).isEmpty();

        // Underneath the API checks: a query that forgets the tenant filter still sees only the tenant's rows.
        TenantReads reads = secondNode.getBean(TenantReads.class);
        Caller callerB = new Caller(ActorKind.API_KEY, "probe", java.util.UUID.fromString(b.id()), java.util.Set.of("*"));
        Long users = reads.read(callerB, jdbc -> jdbc.sql("SELECT count(*) FROM users_profile").query(Long.class).single());
        Long organizations = reads.read(callerB,
                jdbc -> jdbc.sql("SELECT count(*) FROM organizations").query(Long.class).single());
        assertThat(users).isZero();
        assertThat(organizations).isEqualTo(1);
    }

    @Test
    void aWriteOnOneNodeIsReadableOnTheOther() {
        String org = Fixtures.createOrganization(second, "starter");
        await().untilAsserted(() -> assertThat(asAdmin("GET", "/api/v1/organizations/" + org, null).status())
                .isEqualTo(200));
    }

    @Test
    void aUsageQuotaHoldsExactlyWhenTwoNodesRace() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "professional");
        Api.Response issued = api().call("POST", "/api/v1/organizations/" + tenant.id() + "/licenses", ADMIN_KEY,
                Map.of("plan", "professional", "type", "perpetual", "customLimits", Map.of("maxAiRequestsPerMonth", 51)));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String usage = "/api/v1/licenses/" + issued.json().get("id").asText() + "/usage";
        // both nodes have the license in their aggregate cache before the race
        assertThat(second.call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 1)).status())
                .isEqualTo(200);

        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Api.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Api node = i % 2 == 0 ? api() : second;
            answers.add(pool.submit(() -> {
                start.await();
                return node.call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 1));
            }));
        }
        start.countDown();
        int ok = 0;
        for (Future<Api.Response> answer : answers) {
            Api.Response response = answer.get();
            if (response.status() == 200) {
                ok++;
            } else {
                assertThat(response.status()).as(response.toString()).isEqualTo(409);
                assertThat(response.json().get("code").asText()).isEqualTo("USAGE_LIMIT_EXCEEDED");
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(50);
        assertThat(second.call("GET", usage, tenant.key(), null).json().get("metrics").get(0).get("used").asLong())
                .isEqualTo(51);
    }

    /** The expiry deadline is a row of db-scheduler's table: the node that scheduled it may stop, another runs it. */
    @Test
    void aLicenseExpiresOnTimeAfterTheNodeThatIssuedItStops() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "professional");
        java.time.Instant end = java.time.Instant.now().plusSeconds(25);
        ConfigurableApplicationContext third = new SpringApplicationBuilder(CelaestApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + TestDatabase.url(),
                "--spring.datasource.username=" + TestDatabase.user(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--celaest.admin-api-key=" + ADMIN_KEY,
                "--celaest.master-key=" + MASTER_KEY,
                "--celaest.audit.signing-key=" + AUDIT_SIGNING_KEY,
                "--celaest.home=" + Files.createTempDirectory("celaest-node3"));
        String licenseId;
        try {
            Api node3 = new Api("http://localhost:" + ((WebServerApplicationContext) third).getWebServer().getPort());
            Api.Response issued = node3.call("POST", "/api/v1/organizations/" + tenant.id() + "/licenses", ADMIN_KEY,
                    Map.of("plan", "professional", "type", "subscription", "expiresAt", end.toString()));
            assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
            licenseId = issued.json().get("id").asText();
        } finally {
            third.close();
        }
        assertThat(java.time.Instant.now()).as("the issuing node stopped before the expiry").isBefore(end);
        await().atMost(java.time.Duration.ofSeconds(90)).pollInterval(java.time.Duration.ofMillis(500)).until(() ->
                api().call("GET", "/api/v1/licenses/" + licenseId, ADMIN_KEY, null).json().get("status").asText()
                        .equals("expired"));
        assertThat(java.time.Instant.now()).isAfterOrEqualTo(end);
    }

    /** Validations read licenses from memory; a suspension on one node reaches the other's copy within a second or so. */
    @Test
    void aSuspensionOnOneNodeStopsValidationsOnTheOther() {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "professional");
        Api.Response issued = api().call("POST", "/api/v1/organizations/" + tenant.id() + "/licenses", ADMIN_KEY,
                Map.of("plan", "professional", "type", "perpetual"));
        String body = "{\"key\":\"" + issued.json().get("key").asText() + "\"}";
        assertThat(io.celaest.server.support.LoopbackClient.post("127.0.10.1", secondPort, "/api/v1/licenses/validate",
                body).json().get("code").asText()).isEqualTo("VALID");
        assertThat(api().call("POST", "/api/v1/licenses/" + issued.json().get("id").asText() + "/suspend", ADMIN_KEY,
                null).status()).isEqualTo(204);
        long suspendedAt = System.nanoTime();
        await().atMost(java.time.Duration.ofSeconds(15)).pollInterval(java.time.Duration.ofMillis(100)).until(() ->
                io.celaest.server.support.LoopbackClient.post("127.0.10.1", secondPort, "/api/v1/licenses/validate", body)
                        .json().get("code").asText().equals("SUSPENDED"));
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - suspendedAt)).isLessThan(java.time.Duration.ofSeconds(5));
    }
}
