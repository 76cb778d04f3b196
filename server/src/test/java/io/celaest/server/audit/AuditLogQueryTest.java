package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Filters and cursor pagination of GET /api/v1/audit-logs. */
class AuditLogQueryTest extends AuditTestSupport {

    @Test
    void filtersNarrowAndPagesWalkTheLogInOrderWithoutGapsOrRepeats() {
        Fixtures.Tenant tenant = tenant();
        String auditor = Fixtures.createKey(api(), tenant.id(), List.of("audit:read"));
        String users = "/api/v1/organizations/" + tenant.id() + "/users";
        Set<String> userIds = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            userIds.add(expect(as(tenant.key(), "POST", users,
                    map("email", "u" + i + "-" + UUID.randomUUID() + "@example.com", "name", "U" + i, "role", "member")),
                    201).get("id").asText());
        }
        String someUser = userIds.iterator().next();
        expect(as(tenant.key(), "PATCH", users + "/" + someUser, map("name", "Renamed user")), 204);
        awaitEntry(auditor, "action=update&resourceType=user", e -> someUser.equals(e.path("resourceId").asText()));

        // pages of 3 over the 7 creations: 3 + 3 + 1, ascending global index, each user once
        String query = AUDIT_LOGS + "?resourceType=user&action=create&limit=3";
        List<JsonNode> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = expect(as(auditor, "GET", query + (cursor == null ? "" : "&cursor=" + encode(cursor)), null), 200);
            page.path("items").forEach(walked::add);
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(walked).hasSize(7);
        assertThat(walked).extracting(e -> e.path("resourceId").asText()).containsExactlyInAnyOrderElementsOf(userIds);
        List<Long> indexes = walked.stream().map(e -> e.path("eventGlobalIndex").asLong()).toList();
        assertThat(indexes).isSorted().doesNotHaveDuplicates();

        // each filter on its own
        assertThat(entries(auditor, "resourceType=user&resourceId=" + someUser))
                .extracting(e -> e.path("action").asText()).containsExactly("create", "update");
        String keyId = expect(as(ADMIN_KEY, "GET", "/api/v1/organizations/" + tenant.id() + "/api-keys", null), 200)
                .path("items").get(0).path("id").asText();
        assertThat(entries(auditor, "actorId=" + keyId + "&resourceType=user")).hasSize(8);
        assertThat(entries(auditor, "actorId=platform-admin")).extracting(e -> e.path("actorKind").asText())
                .containsOnly("platform_admin");
        assertThat(entries(auditor, "outcome=failure")).isEmpty();
        assertThat(entries(auditor, "action=create&resourceType=organization")).hasSize(1);

        // time range: [from, to)
        JsonNode first = walked.get(0);
        JsonNode last = walked.get(6);
        Instant firstAt = Instant.parse(first.path("occurredAt").asText());
        Instant lastAt = Instant.parse(last.path("occurredAt").asText());
        assertThat(entries(auditor, "resourceType=user&action=create&from=" + firstAt + "&to=" + lastAt)).hasSize(6);
        assertThat(entries(auditor, "resourceType=user&action=create&from=" + lastAt)).hasSize(1);
        assertThat(entries(auditor, "to=" + firstAt.minusSeconds(3600))).isEmpty();
    }

    @Test
    void badFiltersAreBadRequests() {
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "?outcome=maybe", null).status()).isEqualTo(400);
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "?action=DROP%20TABLE", null).status()).isEqualTo(400);
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "?from=yesterday", null).status()).isEqualTo(400);
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "?organizationId=nope", null).status()).isEqualTo(400);
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "?cursor=garbage", null).status()).isEqualTo(400);
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "?limit=0", null).status()).isEqualTo(400);
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "?limit=201", null).status()).isEqualTo(400);
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "/export?format=xml", null).status()).isEqualTo(400);
        // ISO-8601 allows years PostgreSQL does not: they select what the nearest storable instant would
        assertThat(entries(ADMIN_KEY, "from=%2B300000-01-01T00:00:00Z")).isEmpty();
        assertThat(entries(ADMIN_KEY, "to=-300000-01-01T00:00:00Z")).isEmpty();
        assertThat(entries(ADMIN_KEY, "from=-300000-01-01T00:00:00Z")).isNotEmpty();
        assertThat(as(ADMIN_KEY, "GET", AUDIT_LOGS + "/export?format=csv&to=%2B300000-01-01T00:00:00Z", null).status())
                .isEqualTo(200);
        // the platform operator naming an organization that does not exist gets an empty page
        assertThat(entries(ADMIN_KEY, "organizationId=" + UUID.randomUUID())).isEmpty();
    }

    /** The list is a plain servlet, not Spring MVC: its answers must still be the API's (problems, methods, docs). */
    @Test
    void answersLikeEveryOtherEndpoint() {
        Api.Response bad = as(ADMIN_KEY, "GET", AUDIT_LOGS + "?limit=abc&organizationId=nope&outcome=maybe&actorId="
                + "a".repeat(256) + "&from=2026-11-24T00:00:00Z", null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.json().path("code").asText()).isEqualTo("INVALID_REQUEST");
        List<String> fields = new ArrayList<>();
        bad.json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertThat(fields).containsExactlyInAnyOrder("limit", "organizationId", "outcome", "actorId");

        Api.Response cursor = as(ADMIN_KEY, "GET", AUDIT_LOGS + "?cursor=garbage", null);
        assertThat(cursor.contentType()).startsWith("application/problem+json");
        assertThat(cursor.json().path("errors").get(0).path("field").asText()).isEqualTo("cursor");

        Api.Response post = as(ADMIN_KEY, "POST", AUDIT_LOGS, map("action", "create"));
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).contains("GET");
        assertThat(post.contentType()).startsWith("application/problem+json");

        assertThat(api().call("GET", AUDIT_LOGS, null, null).status()).isEqualTo(401);
        Fixtures.Tenant tenant = tenant();
        String reader = Fixtures.createKey(api(), tenant.id(), List.of("licenses:read"));
        Api.Response notAuditor = as(reader, "GET", AUDIT_LOGS, null);
        assertThat(notAuditor.status()).isEqualTo(403);
        assertThat(notAuditor.json().path("code").asText()).isEqualTo("FORBIDDEN");
        String auditor = Fixtures.createKey(api(), tenant.id(), List.of("audit:read"));
        Api.Response foreign = as(auditor, "GET", AUDIT_LOGS + "?organizationId=" + tenant().id(), null);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.contentType()).startsWith("application/problem+json");

        JsonNode operation = expect(api().call("GET", "/v3/api-docs", null, null), 200)
                .path("paths").path(AUDIT_LOGS).path("get");
        List<String> documented = new ArrayList<>();
        operation.path("parameters").forEach(p -> documented.add(p.path("name").asText()));
        assertThat(documented).contains("organizationId", "actorId", "resourceType", "resourceId", "action", "outcome",
                "from", "to", "cursor", "limit");
        assertThat(operation.path("responses").path("200").toString()).contains("AuditLogPage");

        // the request metrics name the endpoint as they would for a Spring MVC mapping
        String metrics = api().call("GET", "/actuator/prometheus", null, null).text();
        assertThat(metrics).contains("uri=\"" + AUDIT_LOGS + "\"");
    }
}
