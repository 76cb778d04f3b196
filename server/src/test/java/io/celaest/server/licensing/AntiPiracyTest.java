package io.celaest.server.licensing;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.LoopbackClient;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Bindings (exact under concurrency, managed by the organization, released when stale) and collisions. */
class AntiPiracyTest extends LicensingTestSupport {

    @Test
    void fiftySimultaneousFirstValidationsFromFiftyIpsBindExactlyThree() throws Exception {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxIpBindings", 3, "maxConcurrentIps", -1));
        int clients = 50;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> codes = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String ip = "127.0.1." + (i + 1);
            codes.add(pool.submit(() -> {
                go.await();
                return code(validate(ip, license.key(), null, null));
            }));
        }
        go.countDown();
        List<String> answers = new ArrayList<>();
        for (Future<String> code : codes) {
            answers.add(code.get());
        }
        pool.shutdown();
        assertThat(answers.stream().filter("VALID"::equals).count()).isEqualTo(3);
        assertThat(answers.stream().filter("TOO_MANY_BINDINGS"::equals).count()).isEqualTo(47);
        JsonNode bindings = get(tenant.key(), "/api/v1/licenses/" + license.id() + "/bindings");
        assertThat(bindings).hasSize(3);
        // every attempt was recorded before its answer
        JsonNode validations = get(tenant.key(), "/api/v1/licenses/" + license.id() + "/validations?limit=200");
        assertThat(validations.get("items")).hasSize(50);
    }

    @Test
    void theOrganizationListsAddsAndRemovesBindingsAndAFingerprintBindsInsteadOfTheIp() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxIpBindings", 2));
        String bindings = "/api/v1/licenses/" + license.id() + "/bindings";
        assertThat(code(validate("127.0.2.1", license.key(), "machine-A", null))).isEqualTo("VALID");
        assertThat(code(validate("127.0.2.2", license.key(), "machine-A", null))).isEqualTo("VALID");
        Api.Response added = api().call("POST", bindings, tenant.key(), Map.of("kind", "ip", "value", "203.0.113.7"));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(code(validate("127.0.2.3", license.key(), "machine-B", null))).isEqualTo("TOO_MANY_BINDINGS");
        Api.Response full = api().call("POST", bindings, tenant.key(), Map.of("kind", "fingerprint", "value", "m-C"));
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.json().get("code").asText()).isEqualTo("TOO_MANY_BINDINGS");

        JsonNode listed = get(tenant.key(), bindings);
        assertThat(listed).hasSize(2);
        assertThat(listed.findValuesAsText("value")).containsExactlyInAnyOrder("machine-A", "203.0.113.7");
        String manual = added.json().get("id").asText();
        assertThat(api().call("DELETE", bindings + "/" + manual, tenant.key(), null).status()).isEqualTo(204);
        assertThat(api().call("DELETE", bindings + "/" + manual, tenant.key(), null).status()).isEqualTo(404);
        assertThat(code(validate("127.0.2.3", license.key(), "machine-B", null))).isEqualTo("VALID");

        Api.Response badKind = api().call("POST", bindings, tenant.key(), Map.of("kind", "mac", "value", "x"));
        assertThat(badKind.status()).isEqualTo(400);
        // an ip binding must be an address, stored in the form validations arrive in (else it could never match)
        String roomy = "/api/v1/licenses/" + perpetual(tenant.id(), Map.of("maxIpBindings", 5)).id() + "/bindings";
        for (String notAnIp : List.of("not-an-ip", "999.1.1.1", "010.0.0.1", "example.com", "1.2.3", ":::1")) {
            Api.Response refused = api().call("POST", roomy, tenant.key(), Map.of("kind", "ip", "value", notAnIp));
            assertThat(refused.status()).as(notAnIp + ": " + refused).isEqualTo(400);
            assertThat(refused.text()).contains("value");
        }
        Api.Response v6 = api().call("POST", roomy, tenant.key(), Map.of("kind", "ip", "value", "::1"));
        assertThat(v6.status()).as(v6.toString()).isEqualTo(201);
        assertThat(v6.json().get("value").asText()).isEqualTo("0:0:0:0:0:0:0:1");
        String readOnly = Fixtures.createKey(api(), tenant.id(), List.of("licenses:read"));
        assertThat(api().call("POST", bindings, readOnly, Map.of("kind", "ip", "value", "198.51.100.1")).status())
                .isEqualTo(403);
    }

    @Test
    void bindingsUnusedForTheTtlAreReleased() throws Exception {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxIpBindings", 1, "bindingTtlDays", 7));
        assertThat(code(validate("127.0.3.1", license.key(), null, null))).isEqualTo("VALID");
        assertThat(code(validate("127.0.3.2", license.key(), null, null))).isEqualTo("TOO_MANY_BINDINGS");
        try (Connection db = database.connect();
             PreparedStatement age = db.prepareStatement(
                     "UPDATE license_ip_bindings SET last_used_at = now() - interval '8 days' WHERE license_id = ?")) {
            age.setObject(1, UUID.fromString(license.id()));
            assertThat(age.executeUpdate()).isEqualTo(1);
        }
        assertThat(sweeper().sweep(java.time.Instant.now())).isGreaterThanOrEqualTo(1);
        assertThat(get(tenant.key(), "/api/v1/licenses/" + license.id() + "/bindings")).isEmpty();
        assertThat(code(validate("127.0.3.2", license.key(), null, null))).isEqualTo("VALID");
    }

    @Test
    void moreIpsAtOnceThanAllowedIsACollisionThatBlocksTheExcessUnderTheBlockPolicy() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxIpBindings", 10, "maxConcurrentIps", 2,
                "collisionPolicy", "block"));
        assertThat(code(validate("127.0.4.1", license.key(), null, null))).isEqualTo("VALID");
        assertThat(code(validate("127.0.4.2", license.key(), null, null))).isEqualTo("VALID");
        assertThat(code(validate("127.0.4.3", license.key(), null, null))).isEqualTo("COLLISION_BLOCKED");
        // the first two keep working
        assertThat(code(validate("127.0.4.1", license.key(), null, null))).isEqualTo("VALID");
        // a blocked device takes no binding slot
        List<String> bound = new ArrayList<>();
        get(tenant.key(), "/api/v1/licenses/" + license.id() + "/bindings").forEach(b -> bound.add(b.get("value").asText()));
        assertThat(bound).containsExactlyInAnyOrder("127.0.4.1", "127.0.4.2");

        String collisions = "/api/v1/licenses/" + license.id() + "/collisions";
        JsonNode page = org.awaitility.Awaitility.await().until(() -> get(tenant.key(), collisions),
                p -> p.get("items").size() == 1);
        JsonNode collision = page.get("items").get(0);
        assertThat(collision.get("policy").asText()).isEqualTo("block");
        assertThat(collision.get("maxConcurrentIps").asInt()).isEqualTo(2);
        List<String> ips = new ArrayList<>();
        collision.get("ips").forEach(ip -> ips.add(ip.asText()));
        assertThat(ips).containsExactly("127.0.4.1", "127.0.4.2", "127.0.4.3");

        String resolve = collisions + "/" + collision.get("id").asText() + "/resolve";
        assertThat(api().call("POST", resolve, tenant.key(), Map.of("note", "office moved")).status()).isEqualTo(204);
        assertThat(api().call("POST", resolve, tenant.key(), null).status()).isEqualTo(409);
        assertThat(get(tenant.key(), collisions).get("items").get(0).get("resolutionNote").asText())
                .isEqualTo("office moved");
    }

    @Test
    void underTheFlagPolicyACollisionIsRecordedAndValidationsPass() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxConcurrentIps", 1, "collisionPolicy", "flag"));
        assertThat(code(validate("127.0.5.1", license.key(), null, null))).isEqualTo("VALID");
        assertThat(code(validate("127.0.5.2", license.key(), null, null))).isEqualTo("VALID");
        org.awaitility.Awaitility.await().until(() -> get(tenant.key(), "/api/v1/licenses/" + license.id()
                + "/collisions").get("items").size() == 1);
    }

    @Test
    void aBurstOfFiftyIsWellBehavedAndHammeringOneKeyIsRateLimited() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), null);
        for (int i = 0; i < 50; i++) {
            assertThat(code(validate("127.0.6.1", license.key(), null, null))).isEqualTo("VALID");
        }
        LoopbackClient.Response limited = null;
        for (int i = 0; i < 200 && limited == null; i++) {
            LoopbackClient.Response response = validate("127.0.6.1", license.key(), null, null);
            if (response.status() == 429) {
                limited = response;
            }
        }
        assertThat(limited).as("429 after hammering one key").isNotNull();
        assertThat(Long.parseLong(limited.retryAfter())).isPositive();
        assertThat(limited.json().get("code").asText()).isEqualTo("RATE_LIMITED");
    }

    @Test
    void xForwardedForFromAnUntrustedPeerIsIgnored() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), null);
        LoopbackClient.Response response = LoopbackClient.post("127.0.9.1", port, "/api/v1/licenses/validate",
                "{\"key\":\"" + license.key() + "\"}", "X-Forwarded-For", "198.51.100.77");
        assertThat(code(response)).isEqualTo("VALID");
        JsonNode bindings = get(tenant.key(), "/api/v1/licenses/" + license.id() + "/bindings");
        assertThat(bindings.findValuesAsText("value")).containsExactly("127.0.9.1");
        assertThat(get(tenant.key(), "/api/v1/licenses/" + license.id() + "/validations").get("items").get(0)
                .get("ip").asText()).isEqualTo("127.0.9.1");
    }

    private io.celaest.command.licensing.StaleBindingSweeper sweeper() {
        return context.getBean(io.celaest.command.licensing.StaleBindingSweeper.class);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private org.springframework.context.ApplicationContext context;
}
