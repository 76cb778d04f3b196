package io.celaest.server.platform;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit trail's raw material: every event keeps who caused it, from where, and under which request. */
class EventMetadataTest extends PlatformTest {

    @Test
    void eventsKeepTheActorOriginCorrelationAndIdempotencyKeyOfTheirCommand() throws Exception {
        String idempotencyKey = "idem-meta-" + java.util.UUID.randomUUID();
        Api.Response created = api().call("POST", "/api/v1/organizations", ADMIN_KEY,
                Map.of("name", "Meta", "slug", io.celaest.server.support.Fixtures.uniqueSlug("meta"), "plan", "starter"),
                "User-Agent", "audit-probe/1.0", "X-Correlation-Id", "corr-123", "Idempotency-Key", idempotencyKey);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("X-Correlation-Id")).isEqualTo("corr-123");
        String org = created.json().get("id").asText();

        List<JsonNode> metadata = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement(
                     "SELECT meta_data, payload FROM domain_event_entry WHERE aggregate_identifier = ? ORDER BY sequence_number")) {
            s.setString(1, org);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    metadata.add(Api.JSON.readTree(rs.getBytes(1)));
                    payloads.add(new String(rs.getBytes(2), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(metadata).hasSize(1);
        JsonNode meta = metadata.get(0);
        assertThat(meta.get("actorId").asText()).isEqualTo("platform-admin");
        assertThat(meta.get("actorKind").asText()).isEqualTo("platform_admin");
        // the client IP is personal data of the actor: sealed under the operator's own (fixed) subject, never in clear
        assertThat(meta.get("clientIp").get("personalDataOf").asText()).isEqualTo(java.util.UUID.nameUUIDFromBytes(
                "celaest-actor:platform-admin".getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
        assertThat(meta.get("clientIp").get("ciphertext").asText()).isNotBlank();
        assertThat(meta.toString()).doesNotContain("127.0.0.1").doesNotContain("0:0:0:0:0:0:0:1");
        assertThat(meta.get("userAgent").asText()).isEqualTo("audit-probe/1.0");
        assertThat(meta.get("correlationId").asText()).isEqualTo("corr-123");
        assertThat(meta.get("idempotencyKey").asText()).isEqualTo(idempotencyKey);
        assertThat(meta.toString()).doesNotContain(ADMIN_KEY);
        assertThat(payloads.get(0)).doesNotContain(ADMIN_KEY);
    }

    @Test
    void apiKeyEventsNeverHoldTheSecretOrItsHash() throws Exception {
        String org = io.celaest.server.support.Fixtures.createOrganization(api(), "starter");
        Api.Response key = asAdmin("POST", "/api/v1/organizations/" + org + "/api-keys",
                Map.of("name", "ci", "scopes", List.of("users:read")));
        String secret = key.json().get("key").asText();
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement(
                     "SELECT convert_from(payload, 'UTF8') FROM domain_event_entry WHERE aggregate_identifier = ?")) {
            s.setString(1, org);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    assertThat(rs.getString(1)).doesNotContain(secret).doesNotContainIgnoringCase("hash");
                }
            }
        }
    }
}
