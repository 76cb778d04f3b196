package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** An organization's auditor sees its own organization only; the platform operator sees every one. */
class AuditLogIsolationTest extends AuditTestSupport {

    @Test
    void anAuditorOfOneOrganizationNeverSeesAnotherOrganizationsEntries() {
        Fixtures.Tenant a = tenant();
        Fixtures.Tenant b = tenant();
        String auditorA = Fixtures.createKey(api(), a.id(), List.of("audit:read"));
        String auditorB = Fixtures.createKey(api(), b.id(), List.of("audit:read"));
        expect(as(a.key(), "PATCH", "/api/v1/organizations/" + a.id(), map("name", "Secretive A")), 204);
        expect(as(b.key(), "PATCH", "/api/v1/organizations/" + b.id(), map("name", "Curious B")), 204);
        // a denial of a key of A is A's entry too
        assertThat(as(auditorA, "PATCH", "/api/v1/organizations/" + a.id(), map("name", "x")).status()).isEqualTo(403);

        awaitEntry(auditorA, "action=deny", e -> a.id().equals(e.path("organizationId").asText()));
        awaitEntry(auditorA, "action=update", e -> "OrganizationRenamed".equals(e.path("eventType").asText()));
        awaitEntry(auditorB, "action=update", e -> "OrganizationRenamed".equals(e.path("eventType").asText()));

        List<JsonNode> seenByB = entries(auditorB, "");
        assertThat(seenByB).isNotEmpty();
        assertThat(seenByB).allSatisfy(e -> assertThat(e.path("organizationId").asText()).isEqualTo(b.id()));
        assertThat(seenByB.toString()).doesNotContain(a.id()).doesNotContain("Secretive A");
        List<JsonNode> seenByA = entries(auditorA, "");
        assertThat(seenByA).allSatisfy(e -> assertThat(e.path("organizationId").asText()).isEqualTo(a.id()));

        // naming the other organization is 404, like every foreign id; on the list and on the export
        assertThat(as(auditorB, "GET", AUDIT_LOGS + "?organizationId=" + a.id(), null).status()).isEqualTo(404);
        assertThat(as(auditorB, "GET", AUDIT_LOGS + "/export?organizationId=" + a.id(), null).status()).isEqualTo(404);
        // filters cannot widen the view either
        assertThat(entries(auditorB, "resourceId=" + a.id())).isEmpty();
        Api.Response exportB = as(auditorB, "GET", AUDIT_LOGS + "/export?format=jsonl", null);
        assertThat(exportB.status()).isEqualTo(200);
        assertThat(exportB.text()).contains(b.id()).doesNotContain(a.id());

        // the platform operator sees both
        assertThat(entries(ADMIN_KEY, "organizationId=" + a.id())).isNotEmpty();
        assertThat(entries(ADMIN_KEY, "organizationId=" + b.id())).isNotEmpty();
        assertThat(entries(ADMIN_KEY, "organizationId=" + a.id()).size()).isEqualTo(seenByA.size());
    }

    @Test
    void withoutTheAuditScopeTheLogIsForbidden() {
        Fixtures.Tenant a = tenant();
        String usersOnly = Fixtures.createKey(api(), a.id(), List.of("users:read"));
        assertThat(as(usersOnly, "GET", AUDIT_LOGS, null).status()).isEqualTo(403);
        assertThat(as(usersOnly, "GET", AUDIT_LOGS + "/export", null).status()).isEqualTo(403);
        assertThat(as(usersOnly, "GET", "/api/v1/audit/aggregates/organization/" + a.id() + "/events", null)
                .status()).isEqualTo(403);
        assertThat(as(null, "GET", AUDIT_LOGS, null).status()).isEqualTo(401);
    }

    @Test
    void historyOfAnotherOrganizationIsNotFound() {
        Fixtures.Tenant a = tenant();
        Fixtures.Tenant b = tenant();
        String auditorB = Fixtures.createKey(api(), b.id(), List.of("audit:read"));
        String events = "/api/v1/audit/aggregates/organization/%s/events";
        String state = "/api/v1/audit/aggregates/organization/%s/state";
        assertThat(as(auditorB, "GET", events.formatted(b.id()), null).status()).isEqualTo(200);
        assertThat(as(auditorB, "GET", state.formatted(b.id()), null).status()).isEqualTo(200);
        assertThat(as(auditorB, "GET", events.formatted(a.id()), null).status()).isEqualTo(404);
        assertThat(as(auditorB, "GET", state.formatted(a.id()), null).status()).isEqualTo(404);
        assertThat(as(auditorB, "GET", events.formatted(UUID.randomUUID()), null).status()).isEqualTo(404);
        assertThat(as(ADMIN_KEY, "GET", events.formatted(a.id()), null).status()).isEqualTo(200);
    }
}
