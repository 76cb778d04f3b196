package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** History for auditors: an organization's full event stream, and its state as of any instant. */
class AuditLogHistoryTest extends AuditTestSupport {

    @Test
    void theEventStreamIsComplete_ordered_withPayloadsAndMetadata() {
        Fixtures.Tenant tenant = tenant();
        String auditor = Fixtures.createKey(api(), tenant.id(), List.of("audit:read"));
        expect(as(tenant.key(), "PATCH", "/api/v1/organizations/" + tenant.id(), map("name", "First name"),
                "X-Correlation-Id", "corr-history-1"), 204);

        JsonNode history = expect(as(auditor, "GET", events(tenant.id()), null), 200);
        assertThat(history.path("aggregateType").asText()).isEqualTo("organization");
        assertThat(history.path("aggregateId").asText()).isEqualTo(tenant.id());
        assertThat(history.path("nextAfterSequence").isNull()).isTrue();
        List<JsonNode> events = new ArrayList<>();
        history.path("events").forEach(events::add);
        assertThat(events).extracting(e -> e.path("eventType").asText())
                .containsExactly("OrganizationCreated", "ApiKeyCreated", "ApiKeyCreated", "OrganizationRenamed");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).path("sequence").asLong()).isEqualTo(i);
        }
        assertThat(events).extracting(e -> e.path("globalIndex").asLong()).isSorted();
        JsonNode renamed = events.get(3);
        assertThat(renamed.path("payload").path("name").asText()).isEqualTo("First name");
        assertThat(renamed.path("metadata").path("correlationId").asText()).isEqualTo("corr-history-1");
        assertThat(renamed.path("metadata").path("actorKind").asText()).isEqualTo("api_key");
        assertThat(renamed.path("timestamp").asText()).isNotBlank();
        assertThat(renamed.path("eventIdentifier").asText()).isNotBlank();
        assertThat(history.toString()).doesNotContain(tenant.key()).doesNotContain(auditor);

        // paging through a long stream
        JsonNode firstTwo = expect(as(auditor, "GET", events(tenant.id()) + "?limit=2", null), 200);
        assertThat(firstTwo.path("events")).hasSize(2);
        assertThat(firstTwo.path("nextAfterSequence").asLong()).isEqualTo(1);
        JsonNode rest = expect(as(auditor, "GET", events(tenant.id()) + "?afterSequence=1&limit=2", null), 200);
        assertThat(rest.path("events").get(0).path("sequence").asLong()).isEqualTo(2);

        assertThat(as(ADMIN_KEY, "GET", "/api/v1/audit/aggregates/license/" + tenant.id() + "/events", null)
                .status()).isEqualTo(404);
        assertThat(as(ADMIN_KEY, "GET", "/api/v1/audit/aggregates/organization/not-a-uuid/events", null)
                .status()).isEqualTo(404);
    }

    @Test
    void theStateAtAnInstantIsTheFoldOfTheEventsUpToIt() {
        Fixtures.Tenant tenant = tenant();
        String org = "/api/v1/organizations/" + tenant.id();
        expect(as(tenant.key(), "PATCH", org, map("name", "Name one")), 204);
        String email = "hist-" + UUID.randomUUID() + "@example.com";
        String userId = expect(as(tenant.key(), "POST", org + "/users",
                map("email", email, "name", "Ann", "role", "admin")), 201).get("id").asText();
        expect(as(tenant.key(), "PATCH", org, map("name", "Name two")), 204);
        expect(as(ADMIN_KEY, "POST", org + "/suspend", map("reason", "unpaid")), 204);

        List<JsonNode> events = new ArrayList<>();
        expect(as(ADMIN_KEY, "GET", events(tenant.id()), null), 200).path("events").forEach(events::add);
        assertThat(events).extracting(e -> e.path("eventType").asText()).containsExactly("OrganizationCreated",
                "ApiKeyCreated", "OrganizationRenamed", "UserAdded", "OrganizationRenamed", "OrganizationSuspended");
        Instant created = Instant.parse(events.get(0).path("timestamp").asText());
        Instant userAdded = Instant.parse(events.get(3).path("timestamp").asText());
        Instant suspended = Instant.parse(events.get(5).path("timestamp").asText());

        // as of the user's addition: first rename applied, second not yet
        JsonNode atUser = expect(as(ADMIN_KEY, "GET", state(tenant.id(), userAdded), null), 200);
        assertThat(atUser.path("version").asLong()).isEqualTo(3);
        assertThat(atUser.path("lastEventType").asText()).isEqualTo("UserAdded");
        JsonNode state = atUser.path("state");
        assertThat(state.path("name").asText()).isEqualTo("Name one");
        assertThat(state.path("status").asText()).isEqualTo("active");
        assertThat(state.path("plan").asText()).as("as the API says it").isEqualTo(
                as(ADMIN_KEY, "GET", "/api/v1/organizations/" + tenant.id(), null).json().path("plan").asText());
        assertThat(state.path("users").path(userId).path("email").asText()).isEqualTo(email);
        assertThat(state.path("users").path(userId).path("active").asBoolean()).isTrue();
        assertThat(state.path("users").path(userId).path("role").asText()).isEqualTo("admin");
        assertThat(state.path("apiKeys")).hasSize(1);
        assertThat(state.path("apiKeys").toString()).doesNotContainIgnoringCase("prefix").doesNotContain("hash");
        assertThat(state.has("previousName")).isFalse();

        // now: second rename and the suspension
        JsonNode now = expect(as(ADMIN_KEY, "GET", "/api/v1/audit/aggregates/organization/" + tenant.id() + "/state",
                null), 200).path("state");
        assertThat(now.path("name").asText()).isEqualTo("Name two");
        assertThat(now.path("status").asText()).isEqualTo("suspended");
        assertThat(now.path("reason").asText()).isEqualTo("unpaid");
        assertThat(expect(as(ADMIN_KEY, "GET", state(tenant.id(), suspended), null), 200).path("version").asLong())
                .isEqualTo(5);

        // as of the creation instant itself: just created; one microsecond before: did not exist
        JsonNode atCreation = expect(as(ADMIN_KEY, "GET", state(tenant.id(), created), null), 200);
        assertThat(atCreation.path("version").asLong()).isZero();
        assertThat(atCreation.path("state").path("users")).isEmpty();
        assertThat(as(ADMIN_KEY, "GET", state(tenant.id(), created.minusNanos(1000)), null).status()).isEqualTo(404);
        assertThat(as(ADMIN_KEY, "GET", "/api/v1/audit/aggregates/organization/" + tenant.id() + "/state?at=soon",
                null).status()).isEqualTo(400);
    }

    @Test
    void aPlansPriceHistoryIsReplayableByAnyAuditor() {
        String code = "hist-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> limits = Map.of("maxUsers", 10, "maxAiRequestsPerMonth", 5000, "maxStorageGb", 20,
                "maxIpBindings", 3, "maxConcurrentIps", 2, "collisionPolicy", "flag", "bindingTtlDays", 30);
        expect(as(ADMIN_KEY, "POST", "/api/v1/plans", Map.of("code", code, "name", "History", "billingCycle",
                "monthly", "price", "10.00", "currency", "EUR", "limits", limits)), 201);
        expect(as(ADMIN_KEY, "PATCH", "/api/v1/plans/" + code, Map.of("price", "12.50")), 204);

        Fixtures.Tenant tenant = tenant();
        String auditor = Fixtures.createKey(api(), tenant.id(), List.of("audit:read"));
        String plan = "/api/v1/audit/aggregates/plan/" + code;
        List<JsonNode> events = new ArrayList<>();
        expect(as(auditor, "GET", plan + "/events", null), 200).path("events").forEach(events::add);
        assertThat(events).extracting(e -> e.path("eventType").asText()).containsExactly("PlanCreated", "PlanUpdated");
        // a tenant's auditor sees what changed, not the operator's request details (IP, user agent, ids)
        assertThat(events.get(1).path("metadata").path("actorKind").asText()).isEqualTo("platform_admin");
        assertThat(events.get(1).path("metadata").has("clientIp")).isFalse();
        assertThat(events.get(1).path("metadata").has("correlationId")).isFalse();
        assertThat(expect(as(ADMIN_KEY, "GET", plan + "/events", null), 200).path("events").get(1).path("metadata")
                .has("clientIp")).isTrue();
        Instant created = Instant.parse(events.get(0).path("timestamp").asText());

        JsonNode before = expect(as(auditor, "GET", plan + "/state?at=" + created, null), 200).path("state");
        // said as the plan API says it
        assertThat(before.path("price").asText()).isEqualTo("10.00");
        assertThat(before.path("billingCycle").asText()).isEqualTo("monthly");
        assertThat(before.path("limits").path("collisionPolicy").asText()).isEqualTo("flag");
        assertThat(before.has("code")).isFalse();
        JsonNode now = expect(as(auditor, "GET", plan + "/state", null), 200).path("state");
        assertThat(now.path("price").asText()).isEqualTo("12.50");
        assertThat(now.path("limits").path("maxIpBindings").asInt()).isEqualTo(3);

        assertThat(as(auditor, "GET", "/api/v1/audit/aggregates/plan/no-such-plan/events", null).status()).isEqualTo(404);
        assertThat(as(auditor, "GET", "/api/v1/audit/aggregates/plan/NOT%20A%20CODE/events", null).status()).isEqualTo(404);
    }

    private static String events(String id) {
        return "/api/v1/audit/aggregates/organization/" + id + "/events";
    }

    private static String state(String id, Instant at) {
        return "/api/v1/audit/aggregates/organization/" + id + "/state?at=" + at;
    }
}
