package io.celaest.server.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** One organization's key can neither see nor change anything of another organization. */
class TenantIsolationTest extends IdentityTestSupport {

    /** One probe of B against A: the request and the status it must get. */
    record Probe(String method, String path, Object body, int status, String code) {
    }

    private List<Probe> probesOf(String a, String aUser, String aKey) {
        String unknownUser = UUID.randomUUID().toString();
        List<Probe> probes = new ArrayList<>();
        probes.add(new Probe("GET", org(a), null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("PATCH", org(a), map("name", "Pwned", "settings", Map.of("owned", true)), 404,
                "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("PATCH", org(a), map("settings", Map.of("owned", true)), 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", org(a) + "/plan", map("plan", "enterprise"), 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", org(a) + "/limits", map("maxUsers", 1000), 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", org(a) + "/onboarding/complete", null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", org(a) + "/suspend", map("reason", "pwned"), 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", org(a) + "/suspend", null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", org(a) + "/reactivate", null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("DELETE", org(a), null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("GET", users(a), null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("GET", users(a) + "?limit=1", null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", users(a), map("email", uniqueEmail("intruder"), "name", "Intruder", "role", "owner"),
                404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("PATCH", users(a) + "/" + aUser, map("name", "Pwned", "role", "viewer"), 404,
                "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("DELETE", users(a) + "/" + aUser, null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("PATCH", users(a) + "/" + unknownUser, map("name", "Pwned"), 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("GET", apiKeys(a), null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", apiKeys(a), map("name", "backdoor", "scopes", List.of("*")), 404,
                "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("DELETE", apiKeys(a) + "/" + aKey, null, 404, "ORGANIZATION_NOT_FOUND"));
        probes.add(new Probe("POST", apiKeys(a) + "/" + aKey + "/erase", null, 404, "ORGANIZATION_NOT_FOUND"));
        // platform-operator paths that belong to no organization
        probes.add(new Probe("GET", ORGS, null, 403, "FORBIDDEN"));
        probes.add(new Probe("GET", ORGS + "?limit=200", null, 403, "FORBIDDEN"));
        probes.add(new Probe("POST", ORGS, map("name", "Mine", "slug", Fixtures.uniqueSlug("mine"), "plan", "starter"),
                403, "FORBIDDEN"));
        probes.add(new Probe("GET", "/api/v1/admin/processors", null, 403, "FORBIDDEN"));
        probes.add(new Probe("GET", "/api/v1/admin/processors/organizations", null, 403, "FORBIDDEN"));
        probes.add(new Probe("POST", "/api/v1/admin/processors/organizations/replay", null, 403, "FORBIDDEN"));
        probes.add(new Probe("POST", "/api/v1/admin/processors/users_profile/replay", null, 403, "FORBIDDEN"));
        return probes;
    }

    private record Snapshot(JsonNode organization, List<JsonNode> users, List<String> keys) {
    }

    private Snapshot snapshot(String organizationId) {
        JsonNode organization = expect(asAdmin("GET", org(organizationId), null), 200);
        List<String> keys = new ArrayList<>();
        // last_used_at moves with use; everything else about a key must stay as it was
        all(ADMIN_KEY, apiKeys(organizationId)).forEach(k -> keys.add(k.path("id").asText() + " " + k.path("name")
                + " " + k.path("scopes") + " " + k.path("expiresAt") + " revoked=" + k.path("revokedAt")));
        return new Snapshot(organization, all(ADMIN_KEY, users(organizationId)), keys);
    }

    @Test
    void anotherTenantsKeyCannotReachAnyPathOfAnOrganization() {
        Fixtures.Tenant a = tenant("starter");
        Fixtures.Tenant b = tenant("starter");
        String aUser = addUser(a.key(), a.id(), uniqueEmail("a-user"), "owner").path("id").asText();
        String aKeyId = expect(as(a.key(), "POST", apiKeys(a.id()), map("name", "a-ci", "scopes", List.of("users:read"))),
                201).path("id").asText();
        addUser(b.key(), b.id(), uniqueEmail("b-user"), "member");
        Snapshot before = snapshot(a.id());

        List<String> failures = new ArrayList<>();
        for (Probe probe : probesOf(a.id(), aUser, aKeyId)) {
            Api.Response response = as(b.key(), probe.method(), probe.path(), probe.body());
            if (response.status() != probe.status() || !String.valueOf(response.contentType()).startsWith(PROBLEM_JSON)
                    || !probe.code().equals(response.json().path("code").asText())) {
                failures.add(probe.method() + " " + probe.path() + " -> " + response);
            }
        }
        assertThat(failures).as("probes that did not answer as expected").isEmpty();

        Snapshot after = snapshot(a.id());
        assertThat(after.organization()).isEqualTo(before.organization());
        assertThat(after.users()).isEqualTo(before.users());
        assertThat(after.keys()).isEqualTo(before.keys());
        assertThat(after.organization().path("status").asText()).isEqualTo("active");
        // and A's own key still works
        expect(as(a.key(), "GET", org(a.id()), null), 200);
    }

    @Test
    void aForeignOrganizationLooksExactlyLikeAnUnknownOne() {
        Fixtures.Tenant a = tenant("starter");
        Fixtures.Tenant b = tenant("starter");
        String unknown = UUID.randomUUID().toString();
        for (String suffix : List.of("", "/users", "/api-keys")) {
            Api.Response foreign = as(b.key(), "GET", org(a.id()) + suffix, null);
            Api.Response missing = as(b.key(), "GET", org(unknown) + suffix, null);
            assertThat(foreign.status()).as(foreign.toString()).isEqualTo(404).isEqualTo(missing.status());
            JsonNode f = foreign.json();
            JsonNode m = missing.json();
            assertThat(f.path("code")).isEqualTo(m.path("code"));
            assertThat(f.path("detail")).isEqualTo(m.path("detail"));
            assertThat(f.path("title")).isEqualTo(m.path("title"));
        }
        Api.Response foreign = as(b.key(), "PATCH", org(a.id()), map("name", "x"));
        Api.Response missing = as(b.key(), "PATCH", org(unknown), map("name", "x"));
        assertThat(foreign.status()).isEqualTo(404).isEqualTo(missing.status());
        assertThat(foreign.json().path("code")).isEqualTo(missing.json().path("code"));
    }

    @Test
    void aNarrowKeyOfAnotherTenantGetsNotFoundRatherThanForbidden() {
        Fixtures.Tenant a = tenant("starter");
        Fixtures.Tenant b = tenant("starter");
        String narrow = Fixtures.createKey(api(), b.id(), List.of("users:read"));
        expectProblem(as(narrow, "GET", org(a.id()), null), 404, "ORGANIZATION_NOT_FOUND");
        expectProblem(as(narrow, "PATCH", org(a.id()), map("name", "x")), 404, "ORGANIZATION_NOT_FOUND");
        expectProblem(as(narrow, "POST", users(a.id()), map("email", uniqueEmail("n"), "name", "N", "role", "member")),
                404, "ORGANIZATION_NOT_FOUND");
        expectProblem(as(narrow, "GET", apiKeys(a.id()), null), 404, "ORGANIZATION_NOT_FOUND");
        // on its own organization the same key is told it lacks the scope
        expectProblem(as(narrow, "PATCH", org(b.id()), map("name", "x")), 403, "FORBIDDEN");
    }

    @Test
    void anotherTenantsIdsCannotBeSmuggledThroughOnesOwnOrganization() {
        Fixtures.Tenant a = tenant("starter");
        Fixtures.Tenant b = tenant("starter");
        String aUser = addUser(a.key(), a.id(), uniqueEmail("victim"), "member").path("id").asText();
        String aKeyId = expect(as(a.key(), "POST", apiKeys(a.id()), map("name", "victim", "scopes",
                List.of("users:read"))), 201).path("id").asText();
        String aKeySecret = expect(as(a.key(), "POST", apiKeys(a.id()), map("name", "victim2", "scopes",
                List.of("users:read"))), 201).path("key").asText();
        Snapshot before = snapshot(a.id());

        expectProblem(as(b.key(), "PATCH", users(b.id()) + "/" + aUser, map("name", "Pwned")), 404, "USER_NOT_FOUND");
        expectProblem(as(b.key(), "DELETE", users(b.id()) + "/" + aUser, null), 404, "USER_NOT_FOUND");
        expectProblem(as(b.key(), "DELETE", apiKeys(b.id()) + "/" + aKeyId, null), 404, "API_KEY_NOT_FOUND");
        expectProblem(as(b.key(), "POST", apiKeys(b.id()) + "/" + aKeyId + "/erase", null), 404, "API_KEY_NOT_FOUND");

        Snapshot after = snapshot(a.id());
        assertThat(after.organization()).isEqualTo(before.organization());
        assertThat(after.users()).isEqualTo(before.users());
        assertThat(after.keys()).isEqualTo(before.keys());
        expect(as(aKeySecret, "GET", users(a.id()), null), 200);
    }

    @Test
    void oneTenantCannotStallTheReadModelsOfOthers() {
        Fixtures.Tenant attacker = tenant("starter");
        as(attacker.key(), "PATCH", org(attacker.id()), map("name", "x\u0000y"));

        List<String> stale = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String victim = Fixtures.createOrganization(api(), "starter");
            String key = Fixtures.createKey(api(), victim, List.of("*"));
            expect(as(key, "PATCH", org(victim), map("name", "Victim " + i)), 204);
            Api.Response read = as(key, "GET", org(victim), null);
            if (read.status() != 200 || !("Victim " + i).equals(read.json().path("name").asText())) {
                stale.add(victim + " -> " + read);
            }
        }
        assertThat(stale).as("organizations whose own writes never became visible").isEmpty();
    }

    @Test
    void eachTenantListsOnlyItsOwnUsersAndKeys() {
        Fixtures.Tenant a = tenant("starter");
        Fixtures.Tenant b = tenant("starter");
        List<String> aEmails = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String email = uniqueEmail("a" + i);
            aEmails.add(email);
            addUser(a.key(), a.id(), email, "member");
        }
        String bEmail = uniqueEmail("b");
        String bUser = addUser(b.key(), b.id(), bEmail, "member").path("id").asText();
        expect(as(a.key(), "POST", apiKeys(a.id()), map("name", "a-only", "scopes", List.of("users:read"))), 201);

        List<JsonNode> bUsers = all(b.key(), users(b.id()));
        assertThat(ids(bUsers)).containsExactly(bUser);
        assertThat(bUsers).allSatisfy(u -> assertThat(u.path("organizationId").asText()).isEqualTo(b.id()));
        assertThat(bUsers).noneMatch(u -> aEmails.contains(u.path("email").asText()));

        // paging one by one shows the same
        JsonNode page = expect(as(b.key(), "GET", users(b.id()) + "?limit=1", null), 200);
        assertThat(page.path("items").size()).isEqualTo(1);
        assertThat(page.path("items").get(0).path("id").asText()).isEqualTo(bUser);
        assertThat(page.path("nextCursor").isNull()).isTrue();

        List<JsonNode> bKeys = all(b.key(), apiKeys(b.id()));
        assertThat(bKeys).allSatisfy(k -> assertThat(k.path("organizationId").asText()).isEqualTo(b.id()));
        assertThat(bKeys).noneMatch(k -> "a-only".equals(k.path("name").asText()));

        List<JsonNode> aUsers = all(a.key(), users(a.id()));
        assertThat(aUsers).hasSize(3);
        assertThat(aUsers).noneMatch(u -> bEmail.equals(u.path("email").asText()));

        // B's cursor, taken to A's list by A, is only a position: it cannot reveal B's rows
        JsonNode aPage = expect(as(a.key(), "GET", users(a.id()) + "?limit=1", null), 200);
        String cursor = aPage.path("nextCursor").asText();
        JsonNode bWithACursor = expect(as(b.key(), "GET", users(b.id()) + "?cursor=" + encode(cursor), null), 200);
        bWithACursor.path("items").forEach(u -> assertThat(u.path("organizationId").asText()).isEqualTo(b.id()));
    }
}
