package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A platform auditor: a read-only platform API key with audit:read sees every tenant's audit log, and nothing more. */
class PlatformAuditorTest extends PlatformTest {

    private static final String KEYS = "/api/v1/platform/api-keys";

    @Test
    void aPlatformAuditorReadsEveryTenantsAuditLogAndCannotWrite() {
        Fixtures.Tenant a = Fixtures.tenant(api(), "starter");
        Fixtures.Tenant b = Fixtures.tenant(api(), "starter");
        Api.Response created = asAdmin("POST", KEYS, Map.of("name", "external auditor", "scopes", List.of("audit:read")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("organizationId").isNull()).isTrue();
        String auditor = created.json().get("key").asText();

        await().untilAsserted(() -> {
            Set<String> organizations = new HashSet<>();
            for (String org : List.of(a.id(), b.id())) {
                Api.Response page = api().call("GET", "/api/v1/audit-logs?limit=200&organizationId=" + org, auditor, null);
                assertThat(page.status()).as(page.toString()).isEqualTo(200);
                page.json().get("items").forEach(entry -> organizations.add(entry.get("organizationId").asText()));
            }
            assertThat(organizations).contains(a.id(), b.id());
        });

        // read-only, and only what its scopes say
        assertThat(api().call("POST", "/api/v1/organizations/" + a.id() + "/users", auditor,
                Map.of("email", "x@y.io", "name", "X", "role", "member")).status()).isEqualTo(403);
        assertThat(api().call("GET", "/api/v1/organizations/" + a.id() + "/users", auditor, null).status())
                .isEqualTo(403);
        assertThat(api().call("GET", "/api/v1/organizations", auditor, null).status()).isEqualTo(403);
        assertThat(api().call("GET", "/api/v1/system-events", auditor, null).status()).isEqualTo(403);
        assertThat(api().call("POST", KEYS, auditor, Map.of("name", "n", "scopes", List.of("audit:read"))).status())
                .isEqualTo(403);

        // the operator lists platform keys without secrets, and revokes them at once
        JsonNode keys = asAdmin("GET", KEYS, null).json();
        assertThat(keys.toString()).contains(created.json().get("id").asText()).doesNotContain(auditor);
        assertThat(asAdmin("DELETE", KEYS + "/" + created.json().get("id").asText(), null).status()).isEqualTo(204);
        assertThat(api().call("GET", "/api/v1/audit-logs", auditor, null).status()).isEqualTo(401);
    }

    @Test
    void platformKeysHoldOnlyReadOnlyScopes() {
        Api.Response writer = asAdmin("POST", KEYS, Map.of("name", "too much", "scopes", List.of("users:write")));
        assertThat(writer.status()).isEqualTo(422);
        assertThat(writer.json().get("code").asText()).isEqualTo("SCOPE_NOT_ALLOWED");
        assertThat(asAdmin("POST", KEYS, Map.of("name", "all", "scopes", List.of("*"))).status()).isEqualTo(422);
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "starter");
        assertThat(api().call("POST", KEYS, tenant.key(), Map.of("name", "n", "scopes", List.of("audit:read")))
                .status()).isEqualTo(403);
        assertThat(asAdmin("DELETE", KEYS + "/" + java.util.UUID.randomUUID(), null).status()).isEqualTo(404);
    }

    @Test
    void peopleCanBeAuditors() {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "starter");
        Api.Response user = api().call("POST", "/api/v1/organizations/" + tenant.id() + "/users", tenant.key(),
                Map.of("email", "auditor@t.io", "name", "Audrey", "role", "auditor"));
        assertThat(user.status()).as(user.toString()).isEqualTo(201);
        assertThat(api().call("GET", "/api/v1/organizations/" + tenant.id() + "/users", tenant.key(), null).text())
                .contains("\"role\":\"auditor\"");
    }
}
