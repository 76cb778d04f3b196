package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Every audit field, for a creation, an update, a deletion, a 401, a 403 and a rejected command (409). */
class AuditLogFieldsTest extends AuditTestSupport {

    private static final List<String> LOOPBACK = List.of("127.0.0.1", "0:0:0:0:0:0:0:1");

    @Test
    void aCreationIsAuditedWithWhoWhatWhereAndTheCreatedFields() {
        String slug = Fixtures.uniqueSlug("audited");
        String idempotencyKey = "idem-" + UUID.randomUUID();
        Api.Response created = as(ADMIN_KEY, "POST", "/api/v1/organizations",
                map("name", "Audited Inc", "slug", slug, "plan", "starter"),
                "User-Agent", "auditor-probe/1.0", "X-Correlation-Id", "corr-create-1", "Idempotency-Key", idempotencyKey);
        String org = expect(created, 201).get("id").asText();

        JsonNode entry = awaitEntry(ADMIN_KEY, "organizationId=" + org + "&action=create&resourceType=organization",
                e -> org.equals(e.path("resourceId").asText()));
        assertThat(entry.path("id").asText()).isNotBlank();
        assertThat(entry.path("eventGlobalIndex").asLong()).isPositive();
        assertThat(entry.path("eventIdentifier").asText()).isNotBlank();
        assertThat(entry.path("occurredAt").asText()).isNotBlank();
        assertThat(entry.path("organizationId").asText()).isEqualTo(org);
        assertThat(entry.path("actorId").asText()).isEqualTo("platform-admin");
        assertThat(entry.path("actorKind").asText()).isEqualTo("platform_admin");
        assertThat(entry.path("outcome").asText()).isEqualTo("success");
        assertThat(entry.path("failureReason").isNull()).isTrue();
        assertThat(entry.path("clientIp").asText()).isIn(LOOPBACK);
        assertThat(entry.path("userAgent").asText()).isEqualTo("auditor-probe/1.0");
        assertThat(entry.path("correlationId").asText()).isEqualTo("corr-create-1");
        assertThat(entry.path("eventType").asText()).isEqualTo("OrganizationCreated");
        JsonNode changes = entry.path("changes");
        assertThat(changes.path("name").path("before").isNull()).isTrue();
        assertThat(changes.path("name").path("after").asText()).isEqualTo("Audited Inc");
        assertThat(changes.path("slug").path("after").asText()).isEqualTo(slug);
        assertThat(changes.has("organizationId")).isFalse();
        assertThat(entry.toString()).doesNotContain(idempotencyKey).doesNotContain(ADMIN_KEY);
    }

    @Test
    void anUpdateRecordsBeforeAndAfterAndTheApiKeyThatMadeIt() {
        Fixtures.Tenant tenant = tenant();
        String keyId = keyIdOf(tenant);
        String before = expect(as(ADMIN_KEY, "GET", "/api/v1/organizations/" + tenant.id(), null), 200)
                .get("name").asText();
        expect(as(tenant.key(), "PATCH", "/api/v1/organizations/" + tenant.id(), map("name", "Renamed Ltd"),
                "User-Agent", "renamer/2.0", "X-Correlation-Id", "corr-rename-1"), 204);

        JsonNode entry = awaitEntry(ADMIN_KEY, "organizationId=" + tenant.id() + "&action=update",
                e -> "OrganizationRenamed".equals(e.path("eventType").asText()));
        assertThat(entry.path("resourceType").asText()).isEqualTo("organization");
        assertThat(entry.path("resourceId").asText()).isEqualTo(tenant.id());
        assertThat(entry.path("actorKind").asText()).isEqualTo("api_key");
        assertThat(entry.path("actorId").asText()).isEqualTo(keyId);
        assertThat(entry.path("userAgent").asText()).isEqualTo("renamer/2.0");
        assertThat(entry.path("correlationId").asText()).isEqualTo("corr-rename-1");
        assertThat(entry.path("clientIp").asText()).isIn(LOOPBACK);
        assertThat(entry.path("outcome").asText()).isEqualTo("success");
        assertThat(entry.path("changes").path("name").path("before").asText()).isEqualTo(before);
        assertThat(entry.path("changes").path("name").path("after").asText()).isEqualTo("Renamed Ltd");
        assertThat(entry.path("changes").has("previousName")).isFalse();
    }

    @Test
    void aDeletionIsAuditedOnTheResourceItRemoved() {
        Fixtures.Tenant tenant = tenant();
        String userId = expect(as(tenant.key(), "POST", "/api/v1/organizations/" + tenant.id() + "/users",
                map("email", "gone-" + UUID.randomUUID() + "@example.com", "name", "Gone", "role", "member")), 201)
                .get("id").asText();
        expect(as(tenant.key(), "DELETE", "/api/v1/organizations/" + tenant.id() + "/users/" + userId, null,
                "X-Correlation-Id", "corr-delete-1"), 204);

        JsonNode entry = awaitEntry(ADMIN_KEY, "organizationId=" + tenant.id() + "&action=delete&resourceType=user",
                e -> userId.equals(e.path("resourceId").asText()));
        assertThat(entry.path("eventType").asText()).isEqualTo("UserDeactivated");
        assertThat(entry.path("actorKind").asText()).isEqualTo("api_key");
        assertThat(entry.path("organizationId").asText()).isEqualTo(tenant.id());
        assertThat(entry.path("correlationId").asText()).isEqualTo("corr-delete-1");
        assertThat(entry.path("outcome").asText()).isEqualTo("success");
    }

    @Test
    void aBadTokenIsAuditedAsADenialWithoutTheToken() {
        String probe = "/api/v1/organizations/" + UUID.randomUUID();
        String badToken = "cel_not_a_real_key_" + UUID.randomUUID();
        Api.Response refused = as(badToken, "GET", probe, null, "User-Agent", "scanner/0.1",
                "X-Correlation-Id", "corr-denied-401");
        assertThat(refused.status()).isEqualTo(401);

        JsonNode entry = awaitEntry(ADMIN_KEY, "action=deny&outcome=failure&resourceType=endpoint",
                e -> ("GET " + probe).equals(e.path("resourceId").asText()));
        assertThat(entry.path("actorKind").asText()).isEqualTo("anonymous");
        assertThat(entry.path("actorId").isNull()).isTrue();
        assertThat(entry.path("organizationId").isNull()).isTrue();
        assertThat(entry.path("failureReason").asText()).startsWith("401");
        assertThat(entry.path("clientIp").asText()).isIn(LOOPBACK);
        assertThat(entry.path("userAgent").asText()).isEqualTo("scanner/0.1");
        assertThat(entry.path("correlationId").asText()).isEqualTo("corr-denied-401");
        assertThat(entry.path("eventType").asText()).isEqualTo("AccessDenied");
        assertThat(entry.toString()).doesNotContain(badToken);
    }

    @Test
    void aMissingScopeIsAuditedAsADenialOfTheKnownCaller() {
        Fixtures.Tenant tenant = tenant();
        String readOnly = Fixtures.createKey(api(), tenant.id(), List.of("users:read"));
        String path = "/api/v1/organizations/" + tenant.id();
        assertThat(as(readOnly, "PATCH", path, map("name", "Not allowed"), "X-Correlation-Id", "corr-denied-403")
                .status()).isEqualTo(403);

        JsonNode entry = awaitEntry(ADMIN_KEY, "organizationId=" + tenant.id() + "&action=deny",
                e -> "corr-denied-403".equals(e.path("correlationId").asText()));
        assertThat(entry.path("resourceId").asText()).isEqualTo("PATCH " + path);
        assertThat(entry.path("actorKind").asText()).isEqualTo("api_key");
        assertThat(entry.path("actorId").asText()).isNotBlank();
        assertThat(entry.path("outcome").asText()).isEqualTo("failure");
        assertThat(entry.path("failureReason").asText()).startsWith("403").contains("organization:write");
        assertThat(entry.toString()).doesNotContain(readOnly);
    }

    @Test
    void aRejectedCommandIsAuditedAsAFailedAttemptWithItsReason() {
        Fixtures.Tenant tenant = tenant();
        String email = "twice-" + UUID.randomUUID() + "@example.com";
        String users = "/api/v1/organizations/" + tenant.id() + "/users";
        expect(as(tenant.key(), "POST", users, map("email", email, "name", "First", "role", "member")), 201);
        Api.Response second = as(tenant.key(), "POST", users, map("email", email, "name", "Second", "role", "member"),
                "X-Correlation-Id", "corr-rejected-409", "User-Agent", "dup/1.0");
        assertThat(second.status()).as(second.toString()).isEqualTo(409);

        JsonNode entry = awaitEntry(ADMIN_KEY, "organizationId=" + tenant.id() + "&outcome=failure",
                e -> "corr-rejected-409".equals(e.path("correlationId").asText()));
        assertThat(entry.path("eventType").asText()).isEqualTo("CommandRejected");
        assertThat(entry.path("action").asText()).isEqualTo("create");
        assertThat(entry.path("resourceType").asText()).isEqualTo("user");
        assertThat(entry.path("resourceId").asText()).isNotBlank();
        assertThat(entry.path("failureReason").asText()).startsWith("409 EMAIL_TAKEN");
        assertThat(entry.path("actorKind").asText()).isEqualTo("api_key");
        assertThat(entry.path("userAgent").asText()).isEqualTo("dup/1.0");
        assertThat(entry.path("clientIp").asText()).isIn(LOOPBACK);
    }

    @Test
    void noSecretEverReachesTheAuditLog() {
        Fixtures.Tenant tenant = tenant();
        Api.Response key = as(ADMIN_KEY, "POST", "/api/v1/organizations/" + tenant.id() + "/api-keys",
                map("name", "ci", "scopes", List.of("users:read")));
        String secret = expect(key, 201).get("key").asText();
        String keyId = key.json().get("id").asText();

        JsonNode created = awaitEntry(ADMIN_KEY, "organizationId=" + tenant.id() + "&resourceType=api_key",
                e -> keyId.equals(e.path("resourceId").asText()));
        assertThat(created.path("action").asText()).isEqualTo("create");
        assertThat(created.path("changes").path("name").path("after").asText()).isEqualTo("ci");
        for (JsonNode entry : entries(ADMIN_KEY, "organizationId=" + tenant.id())) {
            assertThat(entry.toString()).doesNotContain(secret).doesNotContain(tenant.key())
                    .doesNotContainIgnoringCase("hash").doesNotContain("keyPrefix");
        }
    }

    private String keyIdOf(Fixtures.Tenant tenant) {
        JsonNode keys = expect(as(ADMIN_KEY, "GET", "/api/v1/organizations/" + tenant.id() + "/api-keys", null), 200);
        return keys.path("items").get(0).path("id").asText();
    }
}
