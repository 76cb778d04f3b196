package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GDPR erasure by crypto-shredding: personal data is encrypted in the event log under a per-person key;
 * destroying the key erases it from read models, replays, history and audit exports, while the stored
 * events, and so the hash chain over them, stay byte for byte the same.
 */
class PersonalDataErasureTest extends PlatformTest {

    @Test
    void personalDataIsEncryptedAtRestAndErasureMakesItUnreadableEverywhere() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "enterprise");
        String email = "erase-me-" + UUID.randomUUID() + "@example.com";
        String idempotencyKey = "erasable-" + UUID.randomUUID();
        Map<String, Object> creation = Map.of("email", email, "name", "Erin Erasable", "role", "member");
        String userId = api().call("POST", users(tenant), tenant.key(), creation, "Idempotency-Key", idempotencyKey)
                .json().get("id").asText();
        // a rejected second use of the address is audited: the rejection must not quote it
        assertThat(api().call("POST", users(tenant), tenant.key(), Map.of("email", email, "name", "Twin",
                "role", "member")).status()).isEqualTo(409);
        String keptEmail = "keep-" + UUID.randomUUID() + "@example.com";
        api().call("POST", users(tenant), tenant.key(), Map.of("email", keptEmail, "name", "Kim Kept", "role", "member"));
        assertThat(api().call("PATCH", users(tenant) + "/" + userId, tenant.key(), Map.of("name", "Erin Renamed"))
                .status()).isEqualTo(204);

        // encrypted at rest: the event log never holds the email or the names in clear
        List<byte[]> before = payloads(tenant.id());
        assertThat(before).isNotEmpty().allSatisfy(payload -> assertThat(new String(payload, StandardCharsets.UTF_8))
                .doesNotContain(email).doesNotContain("Erin").doesNotContain(keptEmail));
        // yet every reader sees the clear text
        assertThat(user(tenant, userId).get("email").asText()).isEqualTo(email);
        assertThat(history(tenant)).contains(email);

        assertThat(api().call("POST", users(tenant) + "/" + userId + "/erase", tenant.key(), null).status())
                .isEqualTo(204);
        assertThat(api().call("POST", users(tenant) + "/" + userId + "/erase", tenant.key(), null).status())
                .isEqualTo(409);

        // read model, history and audit log: erased; the other user untouched
        JsonNode erased = user(tenant, userId);
        assertThat(erased.get("email").asText()).isEqualTo("[erased]");
        assertThat(erased.get("name").asText()).isEqualTo("[erased]");
        assertThat(erased.get("active").asBoolean()).isFalse();
        // the stored answer to the creation no longer holds them either, and a retry creates nobody again
        Api.Response retried = api().call("POST", users(tenant), tenant.key(), creation, "Idempotency-Key",
                idempotencyKey);
        assertThat(retried.status()).isEqualTo(201);
        assertThat(retried.header("Location")).endsWith("/users/" + userId);
        assertThat(retried.text()).doesNotContain(email).doesNotContain("Erin");
        assertThat(user(tenant, null).toString()).contains(keptEmail);
        String history = history(tenant);
        assertThat(history).doesNotContain(email).doesNotContain("Erin").contains("[erased]").contains(keptEmail);
        // the state an auditor rebuilds agrees with the read model: erased, hence no longer active
        JsonNode stateOfUser = asAdmin("GET", "/api/v1/audit/aggregates/organization/" + tenant.id() + "/state", null)
                .json().path("state").path("users").path(userId);
        assertThat(stateOfUser.path("active").asBoolean()).isFalse();
        assertThat(stateOfUser.path("erased").asBoolean()).isTrue();
        assertThat(stateOfUser.has("wasActive")).isFalse();
        await().untilAsserted(() -> assertThat(asAdmin("GET", "/api/v1/audit-logs/export?format=jsonl&organizationId="
                + tenant.id(), null).text()).contains("erase").doesNotContain(email).doesNotContain("Erin"));

        // the stored events did not change by a byte
        List<byte[]> after = payloads(tenant.id());
        assertThat(after.subList(0, before.size())).containsExactlyElementsOf(before);

        // a replay rebuilds the read model from the log: still erased
        assertThat(asAdmin("POST", "/api/v1/admin/processors/users_profile/replay", null).status()).isEqualTo(202);
        await().untilAsserted(() -> {
            JsonNode status = asAdmin("GET", "/api/v1/admin/processors/users_profile", null).json();
            assertThat(status.get("replaying").asBoolean()).isFalse();
            assertThat(status.get("lag").asLong()).isZero();
        });
        await().untilAsserted(() -> assertThat(user(tenant, userId).get("email").asText()).isEqualTo("[erased]"));
        assertThat(user(tenant, null).toString()).contains(keptEmail);
        // and the seat was freed
        assertThat(asAdmin("GET", "/api/v1/organizations/" + tenant.id(), null).json().get("activeUsers").asInt())
                .isEqualTo(1);
    }

    /** Deletion is soft and keeps the personal data: the operator can still erase it (a closed customer's request). */
    @Test
    void aDeletedOrganizationsUsersAndKeysStayErasable() {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "starter");
        String email = "closed-" + UUID.randomUUID() + "@example.com";
        String userId = api().call("POST", users(tenant), tenant.key(), Map.of("email", email, "name", "Closed",
                "role", "owner")).json().get("id").asText();
        String keyId = api().call("POST", "/api/v1/organizations/" + tenant.id() + "/api-keys", tenant.key(),
                Map.of("name", "k", "scopes", List.of("users:read"))).json().get("id").asText();
        assertThat(asAdmin("DELETE", "/api/v1/organizations/" + tenant.id(), null).status()).isEqualTo(204);

        assertThat(asAdmin("POST", users(tenant) + "/" + userId + "/erase", null).status()).isEqualTo(204);
        assertThat(asAdmin("POST", "/api/v1/organizations/" + tenant.id() + "/api-keys/" + keyId + "/erase", null)
                .status()).isEqualTo(204);
        assertThat(history(tenant)).doesNotContain(email).contains("[erased]");
    }

    private static String users(Fixtures.Tenant tenant) {
        return "/api/v1/organizations/" + tenant.id() + "/users";
    }

    /** One user of the tenant, or (userId null) the whole list. */
    private JsonNode user(Fixtures.Tenant tenant, String userId) {
        Api.Response list = api().call("GET", users(tenant) + "?limit=200", tenant.key(), null);
        if (userId == null) {
            return list.json();
        }
        for (JsonNode item : list.json().get("items")) {
            if (item.get("id").asText().equals(userId)) {
                return item;
            }
        }
        throw new AssertionError("user " + userId + " not listed: " + list);
    }

    private String history(Fixtures.Tenant tenant) {
        Api.Response events = asAdmin("GET", "/api/v1/audit/aggregates/organization/" + tenant.id() + "/events", null);
        assertThat(events.status()).as(events.toString()).isEqualTo(200);
        return events.text();
    }

    private List<byte[]> payloads(String organizationId) throws Exception {
        List<byte[]> payloads = new ArrayList<>();
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT payload FROM domain_event_entry WHERE aggregate_identifier = ? ORDER BY sequence_number")) {
            s.setString(1, organizationId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    payloads.add(rs.getBytes(1));
                }
            }
        }
        return payloads;
    }
}
