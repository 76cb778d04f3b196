package io.celaest.server.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every Identity contract path, end to end, as the platform operator and as an organization's own key. */
class OrganizationApiTest extends IdentityTestSupport {

    // --- organizations ---

    @Test
    void createsAStarterOrganizationWithThePlanLimits() {
        String slug = Fixtures.uniqueSlug("acme");
        Api.Response created = asAdmin("POST", ORGS, map("name", "Acme", "slug", slug, "plan", "starter"));

        JsonNode body = expect(created, 201);
        String id = body.path("id").asText();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(UUID.fromString(id).version()).as("time-ordered (UUIDv7)").isEqualTo(7);
        assertThat(created.header("Location")).endsWith("/api/v1/organizations/" + id);
        assertThat(body.path("name").asText()).isEqualTo("Acme");
        assertThat(body.path("slug").asText()).isEqualTo(slug);
        assertThat(body.path("plan").asText()).isEqualTo("starter");
        assertThat(body.path("status").asText()).isEqualTo("active");
        assertThat(body.path("maxUsers").asInt()).isEqualTo(5);
        assertThat(body.path("maxApiCallsPerMonth").asLong()).isEqualTo(1000);

        // read-your-writes: the very next GET by the same client sees the organization
        JsonNode read = expect(asAdmin("GET", org(id), null), 200);
        assertThat(read.path("id").asText()).isEqualTo(id);
        assertThat(read.path("name").asText()).isEqualTo("Acme");
        assertThat(read.path("slug").asText()).isEqualTo(slug);
        assertThat(read.path("plan").asText()).isEqualTo("starter");
        assertThat(read.path("status").asText()).isEqualTo("active");
        assertThat(read.path("maxUsers").asInt()).isEqualTo(5);
        assertThat(read.path("maxApiCallsPerMonth").asLong()).isEqualTo(1000);
        assertThat(read.path("activeUsers").asInt()).isZero();
        assertThat(read.path("onboardingCompleted").asBoolean()).isFalse();
        assertThat(read.path("createdAt").isTextual()).isTrue();
    }

    @Test
    void createsAnEnterpriseOrganizationWithUnlimitedUsers() {
        JsonNode body = expect(asAdmin("POST", ORGS,
                map("name", "Big Co", "slug", Fixtures.uniqueSlug("big"), "plan", "enterprise")), 201);
        assertThat(body.path("maxUsers").asInt()).isEqualTo(-1);
        assertThat(body.path("maxApiCallsPerMonth").asLong()).isEqualTo(100_000);

        JsonNode read = expect(asAdmin("GET", org(body.path("id").asText()), null), 200);
        assertThat(read.path("plan").asText()).isEqualTo("enterprise");
        assertThat(read.path("maxUsers").asInt()).isEqualTo(-1);
        assertThat(read.path("maxApiCallsPerMonth").asLong()).isEqualTo(100_000);
    }

    @Test
    void createOverridesThePlanLimits() {
        JsonNode body = expect(asAdmin("POST", ORGS, map("name", "Custom", "slug", Fixtures.uniqueSlug("custom"),
                "plan", "starter", "maxUsers", 7, "maxApiCallsPerMonth", 4242)), 201);
        assertThat(body.path("maxUsers").asInt()).isEqualTo(7);
        assertThat(body.path("maxApiCallsPerMonth").asLong()).isEqualTo(4242);

        JsonNode read = expect(asAdmin("GET", org(body.path("id").asText()), null), 200);
        assertThat(read.path("maxUsers").asInt()).isEqualTo(7);
        assertThat(read.path("maxApiCallsPerMonth").asLong()).isEqualTo(4242);
    }

    @Test
    void aSlugIsTakenOnlyOnce() {
        String slug = Fixtures.uniqueSlug("once");
        expect(asAdmin("POST", ORGS, map("name", "First", "slug", slug, "plan", "starter")), 201);
        Api.Response second = asAdmin("POST", ORGS, map("name", "Second", "slug", slug, "plan", "starter"));
        assertThat(second.status()).as(second.toString()).isEqualTo(409);
    }

    @Test
    void anOrganizationKeyReadsItsOwnOrganization() {
        Fixtures.Tenant tenant = tenant("starter");
        JsonNode read = expect(as(tenant.key(), "GET", org(tenant.id()), null), 200);
        assertThat(read.path("id").asText()).isEqualTo(tenant.id());
        assertThat(read.path("slug").asText()).isEqualTo(tenant.slug());
    }

    @Test
    void onlyThePlatformOperatorCreatesAndListsOrganizations() {
        Fixtures.Tenant tenant = tenant("starter");
        expectProblem(as(tenant.key(), "POST", ORGS,
                map("name", "Nope", "slug", Fixtures.uniqueSlug("nope"), "plan", "starter")), 403, "FORBIDDEN");
        expectProblem(as(tenant.key(), "GET", ORGS, null), 403, "FORBIDDEN");
    }

    @Test
    void listsOrganizationsPageByPageWithACursor() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            created.add(Fixtures.createOrganization(api(), "starter"));
        }

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String url = ORGS + "?limit=1" + (cursor == null ? "" : "&cursor=" + encode(cursor));
            JsonNode page = expect(asAdmin("GET", url, null), 200);
            assertThat(page.path("items").size()).as("page %d: %s", pages, page).isLessThanOrEqualTo(1);
            page.path("items").forEach(item -> seen.add(item.path("id").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            assertThat(++pages).as("pagination must end").isLessThan(100_000);
        } while (cursor != null);

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen).containsAll(created);
        // the pages, concatenated, are the one-page listing
        List<String> oneGo = new ArrayList<>();
        all(ADMIN_KEY, ORGS).forEach(o -> oneGo.add(o.path("id").asText()));
        assertThat(seen).containsExactlyElementsOf(oneGo);
    }

    @Test
    void patchRenamesAndReplacesSettings() {
        Fixtures.Tenant tenant = tenant("starter");

        expect(as(tenant.key(), "PATCH", org(tenant.id()),
                map("name", "Renamed Org", "settings", Map.of("branding", Map.of("color", "#123456")))), 204);
        JsonNode read = expect(as(tenant.key(), "GET", org(tenant.id()), null), 200);
        assertThat(read.path("name").asText()).isEqualTo("Renamed Org");
        assertThat(read.path("settings").path("branding").path("color").asText()).isEqualTo("#123456");

        // settings are replaced as a whole; the name is untouched when absent
        expect(as(tenant.key(), "PATCH", org(tenant.id()), map("settings", Map.of("locale", "fr"))), 204);
        read = expect(as(tenant.key(), "GET", org(tenant.id()), null), 200);
        assertThat(read.path("name").asText()).isEqualTo("Renamed Org");
        assertThat(read.path("settings").path("locale").asText()).isEqualTo("fr");
        assertThat(read.path("settings").has("branding")).isFalse();

        // asking for the name that is already there is not an error
        expect(as(tenant.key(), "PATCH", org(tenant.id()), map("name", "Renamed Org")), 204);
    }

    @Test
    void changesThePlan() {
        String id = Fixtures.createOrganization(api(), "starter");

        expect(asAdmin("POST", org(id) + "/plan", map("plan", "enterprise")), 204);
        JsonNode read = expect(asAdmin("GET", org(id), null), 200);
        assertThat(read.path("plan").asText()).isEqualTo("enterprise");
        assertThat(read.path("maxUsers").asInt()).isEqualTo(-1);
        assertThat(read.path("maxApiCallsPerMonth").asLong()).isEqualTo(100_000);

        expectProblem(asAdmin("POST", org(id) + "/plan", map("plan", "enterprise")), 409, "UNCHANGED");

        expect(asAdmin("POST", org(id) + "/plan", map("plan", "professional")), 204);
        read = expect(asAdmin("GET", org(id), null), 200);
        assertThat(read.path("plan").asText()).isEqualTo("professional");
        assertThat(read.path("maxUsers").asInt()).isEqualTo(25);
        assertThat(read.path("maxApiCallsPerMonth").asLong()).isEqualTo(10_000);
    }

    @Test
    void anOrganizationKeyCannotChangeItsOwnPlanOrLimits() {
        Fixtures.Tenant tenant = tenant("starter");
        expectProblem(as(tenant.key(), "POST", org(tenant.id()) + "/plan", map("plan", "enterprise")), 403, "FORBIDDEN");
        expectProblem(as(tenant.key(), "POST", org(tenant.id()) + "/limits", map("maxUsers", 100)), 403, "FORBIDDEN");
        expectProblem(as(tenant.key(), "POST", org(tenant.id()) + "/suspend", map()), 403, "FORBIDDEN");
        expectProblem(as(tenant.key(), "DELETE", org(tenant.id()), null), 403, "FORBIDDEN");
        JsonNode read = expect(asAdmin("GET", org(tenant.id()), null), 200);
        assertThat(read.path("plan").asText()).isEqualTo("starter");
        assertThat(read.path("maxUsers").asInt()).isEqualTo(5);
        assertThat(read.path("status").asText()).isEqualTo("active");
    }

    @Test
    void overridesAndResetsTheLimits() {
        Fixtures.Tenant tenant = tenant("starter");

        expect(asAdmin("POST", org(tenant.id()) + "/limits", map("maxUsers", 10, "maxApiCallsPerMonth", 5000)), 204);
        JsonNode read = expect(asAdmin("GET", org(tenant.id()), null), 200);
        assertThat(read.path("maxUsers").asInt()).isEqualTo(10);
        assertThat(read.path("maxApiCallsPerMonth").asLong()).isEqualTo(5000);

        // an override survives a plan change
        expect(asAdmin("POST", org(tenant.id()) + "/plan", map("plan", "professional")), 204);
        read = expect(asAdmin("GET", org(tenant.id()), null), 200);
        assertThat(read.path("maxUsers").asInt()).isEqualTo(10);
        assertThat(read.path("maxApiCallsPerMonth").asLong()).isEqualTo(5000);

        // null returns the limits to the plan's
        expect(asAdmin("POST", org(tenant.id()) + "/limits", map()), 204);
        read = expect(asAdmin("GET", org(tenant.id()), null), 200);
        assertThat(read.path("maxUsers").asInt()).isEqualTo(25);
        assertThat(read.path("maxApiCallsPerMonth").asLong()).isEqualTo(10_000);

        // a limit below the active users is refused
        addUser(tenant.key(), tenant.id(), uniqueEmail("a"), "member");
        addUser(tenant.key(), tenant.id(), uniqueEmail("b"), "member");
        expectProblem(asAdmin("POST", org(tenant.id()) + "/limits", map("maxUsers", 1)), 409, "TOO_MANY_USERS");
        assertThat(expect(asAdmin("GET", org(tenant.id()), null), 200).path("maxUsers").asInt()).isEqualTo(25);
    }

    @Test
    void theUserLimitHolds() {
        Fixtures.Tenant tenant = tenant("starter");
        expect(asAdmin("POST", org(tenant.id()) + "/limits", map("maxUsers", 2)), 204);
        addUser(tenant.key(), tenant.id(), uniqueEmail("one"), "member");
        addUser(tenant.key(), tenant.id(), uniqueEmail("two"), "member");
        expectProblem(as(tenant.key(), "POST", users(tenant.id()),
                map("email", uniqueEmail("three"), "name", "Three", "role", "member")), 409, "MAX_USERS_REACHED");
        assertThat(expect(as(tenant.key(), "GET", org(tenant.id()), null), 200).path("activeUsers").asInt())
                .isEqualTo(2);
    }

    @Test
    void completesOnboardingOnce() {
        Fixtures.Tenant tenant = tenant("starter");
        expect(as(tenant.key(), "POST", org(tenant.id()) + "/onboarding/complete", null), 204);
        assertThat(expect(as(tenant.key(), "GET", org(tenant.id()), null), 200).path("onboardingCompleted").asBoolean())
                .isTrue();
        expectProblem(as(tenant.key(), "POST", org(tenant.id()) + "/onboarding/complete", null), 409,
                "ONBOARDING_ALREADY_COMPLETED");
    }

    @Test
    void suspendsAndReactivates() {
        Fixtures.Tenant tenant = tenant("starter");

        expect(asAdmin("POST", org(tenant.id()) + "/suspend", map("reason", "unpaid invoice")), 204);
        JsonNode read = expect(asAdmin("GET", org(tenant.id()), null), 200);
        assertThat(read.path("status").asText()).isEqualTo("suspended");
        assertThat(read.path("suspensionReason").asText()).isEqualTo("unpaid invoice");

        expectProblem(asAdmin("POST", org(tenant.id()) + "/suspend", map()), 409, "ALREADY_SUSPENDED");
        expectProblem(asAdmin("POST", users(tenant.id()), map("email", uniqueEmail("late"), "name", "Late",
                "role", "member")), 409, "ORGANIZATION_SUSPENDED");
        expectProblem(as(tenant.key(), "POST", users(tenant.id()), map("email", uniqueEmail("late"), "name", "Late",
                "role", "member")), 409, "ORGANIZATION_SUSPENDED");

        expect(asAdmin("POST", org(tenant.id()) + "/reactivate", null), 204);
        read = expect(asAdmin("GET", org(tenant.id()), null), 200);
        assertThat(read.path("status").asText()).isEqualTo("active");
        assertThat(read.path("suspensionReason").isNull()).isTrue();

        expectProblem(asAdmin("POST", org(tenant.id()) + "/reactivate", null), 409, "NOT_SUSPENDED");
        addUser(tenant.key(), tenant.id(), uniqueEmail("back"), "member");
    }

    @Test
    void suspendWithoutABody() {
        Fixtures.Tenant tenant = tenant("starter");
        expect(asAdmin("POST", org(tenant.id()) + "/suspend", null), 204);
        assertThat(expect(asAdmin("GET", org(tenant.id()), null), 200).path("status").asText()).isEqualTo("suspended");
    }

    @Test
    void deletingAnOrganizationHidesItAndStopsItsKeys() {
        Fixtures.Tenant tenant = tenant("starter");
        expect(as(tenant.key(), "GET", org(tenant.id()), null), 200);

        expect(asAdmin("DELETE", org(tenant.id()), null), 204);

        expectProblem(asAdmin("GET", org(tenant.id()), null), 404, "ORGANIZATION_NOT_FOUND");
        expectProblem(as(tenant.key(), "GET", org(tenant.id()), null), 401, "UNAUTHENTICATED");
        assertThat(ids(all(ADMIN_KEY, ORGS))).doesNotContain(tenant.id());
        expectProblem(asAdmin("DELETE", org(tenant.id()), null), 404, "ORGANIZATION_NOT_FOUND");
        expectProblem(asAdmin("GET", users(tenant.id()), null), 404, "ORGANIZATION_NOT_FOUND");
    }

    // --- users ---

    @Test
    void addsListsUpdatesAndDeactivatesUsers() {
        Fixtures.Tenant tenant = tenant("starter");
        String email = uniqueEmail("alice");

        Api.Response added = as(tenant.key(), "POST", users(tenant.id()),
                map("email", email, "name", "Alice", "role", "member", "scopes", List.of("users:read")));
        JsonNode user = expect(added, 201);
        String userId = user.path("id").asText();
        assertThat(userId).matches("[0-9a-f-]{36}");
        assertThat(added.header("Location")).endsWith(users(tenant.id()) + "/" + userId);
        assertThat(user.path("organizationId").asText()).isEqualTo(tenant.id());
        assertThat(user.path("email").asText()).isEqualTo(email);
        assertThat(user.path("role").asText()).isEqualTo("member");
        assertThat(user.path("active").asBoolean()).isTrue();

        // read-your-writes
        JsonNode listed = byId(all(tenant.key(), users(tenant.id())), userId);
        assertThat(listed).as("the new user is listed at once").isNotNull();
        assertThat(listed.path("email").asText()).isEqualTo(email);
        assertThat(listed.path("name").asText()).isEqualTo("Alice");
        assertThat(listed.path("role").asText()).isEqualTo("member");
        assertThat(listed.path("active").asBoolean()).isTrue();
        assertThat(expect(as(tenant.key(), "GET", org(tenant.id()), null), 200).path("activeUsers").asInt())
                .isEqualTo(1);

        expect(as(tenant.key(), "PATCH", users(tenant.id()) + "/" + userId,
                map("name", "Alice B.", "role", "admin", "scopes", List.of("users:write", "users:read"))), 204);
        listed = byId(all(tenant.key(), users(tenant.id())), userId);
        assertThat(listed.path("name").asText()).isEqualTo("Alice B.");
        assertThat(listed.path("role").asText()).isEqualTo("admin");
        assertThat(listed.path("scopes")).extracting(JsonNode::asText).containsExactlyInAnyOrder("users:read", "users:write");

        // PATCH of a single field leaves the others alone
        expect(as(tenant.key(), "PATCH", users(tenant.id()) + "/" + userId, map("role", "viewer")), 204);
        listed = byId(all(tenant.key(), users(tenant.id())), userId);
        assertThat(listed.path("role").asText()).isEqualTo("viewer");
        assertThat(listed.path("name").asText()).isEqualTo("Alice B.");

        expect(as(tenant.key(), "DELETE", users(tenant.id()) + "/" + userId, null), 204);
        listed = byId(all(tenant.key(), users(tenant.id())), userId);
        assertThat(listed.path("active").asBoolean()).isFalse();
        assertThat(listed.path("deactivatedAt").isTextual()).isTrue();
        assertThat(expect(as(tenant.key(), "GET", org(tenant.id()), null), 200).path("activeUsers").asInt()).isZero();

        // a deactivated user is gone for the write side; its email is free again
        expectProblem(as(tenant.key(), "DELETE", users(tenant.id()) + "/" + userId, null), 404, "USER_NOT_FOUND");
        expectProblem(as(tenant.key(), "PATCH", users(tenant.id()) + "/" + userId, map("name", "X")), 404,
                "USER_NOT_FOUND");
        addUser(tenant.key(), tenant.id(), email, "member");
    }

    @Test
    void emailsAreUniquePerOrganizationWhateverTheirCase() {
        Fixtures.Tenant tenant = tenant("starter");
        String email = uniqueEmail("bob");
        addUser(tenant.key(), tenant.id(), email, "member");

        JsonNode problem = expectProblem(as(tenant.key(), "POST", users(tenant.id()),
                map("email", email.toUpperCase(), "name", "Bob again", "role", "member")), 409, "EMAIL_TAKEN");
        assertThat(problem.path("detail").asText()).isNotBlank();
        assertThat(all(tenant.key(), users(tenant.id()))).hasSize(1);

        // another organization may use the same email
        Fixtures.Tenant other = tenant("starter");
        addUser(other.key(), other.id(), email, "member");
    }

    @Test
    void theLastOwnerStays() {
        Fixtures.Tenant tenant = tenant("starter");
        String owner = addUser(tenant.key(), tenant.id(), uniqueEmail("owner"), "owner").path("id").asText();
        expectProblem(as(tenant.key(), "DELETE", users(tenant.id()) + "/" + owner, null), 409, "LAST_OWNER");
        expectProblem(as(tenant.key(), "PATCH", users(tenant.id()) + "/" + owner, map("role", "member")), 409,
                "LAST_OWNER");
        assertThat(byId(all(tenant.key(), users(tenant.id())), owner).path("role").asText()).isEqualTo("owner");
    }

    @Test
    void onlyAFullAccessCallerMakesOwners() {
        Fixtures.Tenant tenant = tenant("starter");
        String key = Fixtures.createKey(api(), tenant.id(), List.of("users:read", "users:write"));
        expectProblem(as(key, "POST", users(tenant.id()),
                map("email", uniqueEmail("o"), "name", "O", "role", "owner")), 403, "FORBIDDEN");
        String member = addUser(key, tenant.id(), uniqueEmail("m"), "member").path("id").asText();
        expectProblem(as(key, "PATCH", users(tenant.id()) + "/" + member, map("role", "owner")), 403, "FORBIDDEN");
    }

    // --- API keys ---

    @Test
    void createsUsesListsAndRevokesApiKeys() {
        Fixtures.Tenant tenant = tenant("starter");

        Api.Response created = as(tenant.key(), "POST", apiKeys(tenant.id()),
                map("name", "ci", "scopes", List.of("organization:read", "users:read")));
        JsonNode body = expect(created, 201);
        String secret = body.path("key").asText();
        String keyId = body.path("id").asText();
        assertThat(secret).startsWith("cel_");
        assertThat(secret).startsWith(body.path("prefix").asText());
        assertThat(created.header("Location")).endsWith(apiKeys(tenant.id()) + "/" + keyId);
        assertThat(body.path("scopes")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("organization:read", "users:read");

        // the new key works at once
        assertThat(expect(as(secret, "GET", org(tenant.id()), null), 200).path("id").asText()).isEqualTo(tenant.id());
        expect(as(secret, "GET", users(tenant.id()), null), 200);

        // the listing shows the key (read-your-writes) but never its secret or a hash
        Api.Response listing = as(tenant.key(), "GET", apiKeys(tenant.id()) + "?limit=200", null);
        expect(listing, 200);
        assertThat(listing.text()).doesNotContain(secret);
        assertThat(listing.text().toLowerCase()).doesNotContain("hash").doesNotContain("secret");
        JsonNode listed = byId(all(tenant.key(), apiKeys(tenant.id())), keyId);
        assertThat(listed).as("the new key is listed").isNotNull();
        assertThat(listed.path("name").asText()).isEqualTo("ci");
        assertThat(listed.path("prefix").asText()).isEqualTo(body.path("prefix").asText());
        assertThat(listed.path("revokedAt").isNull()).isTrue();
        for (JsonNode item : all(tenant.key(), apiKeys(tenant.id()))) {
            Set<String> names = new HashSet<>();
            item.fieldNames().forEachRemaining(names::add);
            assertThat(names).doesNotContain("key", "secret");
            assertThat(names).noneMatch(n -> n.toLowerCase().contains("hash"));
        }

        expect(as(tenant.key(), "DELETE", apiKeys(tenant.id()) + "/" + keyId, null), 204);
        expectProblem(as(secret, "GET", org(tenant.id()), null), 401, "UNAUTHENTICATED");
        assertThat(byId(all(tenant.key(), apiKeys(tenant.id())), keyId).path("revokedAt").isTextual()).isTrue();

        expectProblem(as(tenant.key(), "DELETE", apiKeys(tenant.id()) + "/" + keyId, null), 409, "API_KEY_REVOKED");
        expectProblem(as(tenant.key(), "DELETE", apiKeys(tenant.id()) + "/" + java.util.UUID.randomUUID(), null), 404,
                "API_KEY_NOT_FOUND");
    }

    @Test
    void aKeyIsLimitedToItsScopes() {
        Fixtures.Tenant tenant = tenant("starter");
        String readOnly = Fixtures.createKey(api(), tenant.id(), List.of("users:read"));

        expect(as(readOnly, "GET", users(tenant.id()), null), 200);
        expectProblem(as(readOnly, "POST", users(tenant.id()),
                map("email", uniqueEmail("x"), "name", "X", "role", "member")), 403, "FORBIDDEN");
        expectProblem(as(readOnly, "GET", org(tenant.id()), null), 403, "FORBIDDEN");
        expectProblem(as(readOnly, "GET", apiKeys(tenant.id()), null), 403, "FORBIDDEN");
        expectProblem(as(readOnly, "PATCH", org(tenant.id()), map("name", "Hijacked")), 403, "FORBIDDEN");
        assertThat(all(tenant.key(), users(tenant.id()))).isEmpty();
        assertThat(expect(asAdmin("GET", org(tenant.id()), null), 200).path("name").asText()).isNotEqualTo("Hijacked");
    }

    @Test
    void aKeyCannotGrantScopesItDoesNotHave() {
        Fixtures.Tenant tenant = tenant("starter");
        String keyMaker = Fixtures.createKey(api(), tenant.id(), List.of("api_keys:write", "api_keys:read", "users:read"));

        expectProblem(as(keyMaker, "POST", apiKeys(tenant.id()), map("name", "escalate", "scopes", List.of("users:write"))),
                403, "FORBIDDEN");
        expectProblem(as(keyMaker, "POST", apiKeys(tenant.id()), map("name", "escalate", "scopes", List.of("*"))),
                403, "FORBIDDEN");
        assertThat(all(keyMaker, apiKeys(tenant.id())))
                .noneMatch(k -> "escalate".equals(k.path("name").asText()));

        // a subset of its own scopes is fine
        expect(as(keyMaker, "POST", apiKeys(tenant.id()), map("name", "narrower", "scopes", List.of("users:read"))), 201);
        assertThat(all(keyMaker, apiKeys(tenant.id()))).anyMatch(k -> "narrower".equals(k.path("name").asText()));
    }

    @Test
    void unknownScopesAreRefused() {
        Fixtures.Tenant tenant = tenant("starter");
        expectProblem(as(tenant.key(), "POST", apiKeys(tenant.id()),
                map("name", "odd", "scopes", List.of("users:read", "users:fly"))), 422, "UNKNOWN_SCOPE");
    }

    @Test
    void anExpiredKeyDoesNotWork() {
        Fixtures.Tenant tenant = tenant("starter");
        expect(as(tenant.key(), "POST", apiKeys(tenant.id()),
                map("name", "past", "scopes", List.of("users:read"), "expiresAt", "2000-01-01T00:00:00Z")), 400);
        String soon = java.time.Instant.now().plusSeconds(4).toString();
        String key = expect(as(tenant.key(), "POST", apiKeys(tenant.id()),
                map("name", "soon", "scopes", List.of("users:read"), "expiresAt", soon)), 201).path("key").asText();
        expect(as(key, "GET", users(tenant.id()), null), 200);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> as(key, "GET", users(tenant.id()), null).status() == 401);
    }

    // --- documentation and operations ---

    @Test
    void publishesTheOpenApiDocumentAndSwaggerUi() {
        Api.Response docs = api().call("GET", "/v3/api-docs", null, null);
        JsonNode openApi = expect(docs, 200);
        assertThat(docs.contentType()).contains("json");
        assertThat(openApi.path("paths").has("/api/v1/organizations")).as(docs.text()).isTrue();
        assertThat(openApi.path("paths").has("/api/v1/organizations/{organizationId}/users")).isTrue();
        assertThat(openApi.path("paths").has("/api/v1/admin/processors/{name}/replay")).isTrue();
        // what each operation answers: creations 201 with their body, and the problems
        JsonNode create = openApi.path("paths").path("/api/v1/organizations").path("post").path("responses");
        assertThat(create.has("201")).as(create.toString()).isTrue();
        assertThat(create.has("200")).as(create.toString()).isFalse();
        assertThat(create.path("201").path("content").path("*/*").path("schema").path("$ref").asText()
                + create.path("201").path("content").path("application/json").path("schema").path("$ref").asText())
                .contains("OrganizationCreatedResponse");
        assertThat(create.path("409").path("content").has("application/problem+json")).isTrue();
        JsonNode get = openApi.path("paths").path("/api/v1/organizations/{organizationId}").path("get")
                .path("responses");
        assertThat(get.path("404").path("content").path("application/problem+json").path("schema").path("$ref")
                .asText()).isEqualTo("#/components/schemas/Problem");
        assertThat(get.has("413")).as("no body, no 413").isFalse();
        assertThat(openApi.path("paths").path("/api/v1/admin/processors/{name}/replay").path("post")
                .path("responses").has("202")).isTrue();
        JsonNode export = openApi.path("paths").path("/api/v1/audit-logs/export").path("get");
        assertThat(export.path("responses").path("200").path("content").has("text/csv")).as(export.toString()).isTrue();
        assertThat(export.path("parameters").toString()).contains("\"csv\"", "\"jsonl\"");

        Api.Response ui = api().call("GET", "/swagger-ui/index.html", null, null);
        assertThat(ui.status()).as(ui.toString()).isEqualTo(200);
        assertThat(ui.text()).containsIgnoringCase("swagger");
    }

    @Test
    void exposesReadinessAndMetrics() {
        Api.Response readiness = api().call("GET", "/actuator/health/readiness", null, null);
        JsonNode ready = expect(readiness, 200);
        assertThat(ready.path("status").asText()).isEqualTo("UP");
        assertThat(ready.path("components").path("db").path("status").asText()).isEqualTo("UP");
        assertThat(ready.path("components").path("db").has("details")).as("no details for anonymous callers")
                .isFalse();

        Api.Response prometheus = api().call("GET", "/actuator/prometheus", null, null);
        assertThat(prometheus.status()).as(prometheus.toString()).isEqualTo(200);
        assertThat(prometheus.text()).contains("celaest_event_processor_lag_events");
        assertThat(prometheus.text()).contains("processor=\"organizations\"");
    }

    @Test
    void replaysTheOrganizationsReadModelFromTheEventLog() {
        // organizations with a history worth replaying
        Fixtures.Tenant first = tenant("starter");
        expect(asAdmin("PATCH", org(first.id()), map("name", "Before Replay",
                "settings", Map.of("branding", Map.of("color", "#abcdef")))), 204);
        addUser(first.key(), first.id(), uniqueEmail("r1"), "member");
        addUser(first.key(), first.id(), uniqueEmail("r2"), "member");
        expect(asAdmin("POST", org(first.id()) + "/plan", map("plan", "professional")), 204);
        Fixtures.Tenant second = tenant("enterprise");
        expect(asAdmin("POST", org(second.id()) + "/suspend", map("reason", "replay test")), 204);
        expect(asAdmin("POST", org(second.id()) + "/onboarding/complete", null), 204);

        Map<String, JsonNode> before = new LinkedHashMap<>();
        for (JsonNode organization : all(ADMIN_KEY, ORGS)) {
            before.put(organization.path("id").asText(), organization);
        }
        assertThat(before).containsKeys(first.id(), second.id());

        Api.Response replay = asAdmin("POST", "/api/v1/admin/processors/organizations/replay", null);
        JsonNode accepted = expect(replay, 202);
        assertThat(accepted.path("name").asText()).isEqualTo("organizations");
        // the answer says a replay runs, before the processor has claimed its segments again
        assertThat(accepted.path("replaying").asBoolean()).as(accepted.toString()).isTrue();

        awaitOrganizationsCaughtUp();

        Map<String, JsonNode> after = new LinkedHashMap<>();
        for (JsonNode organization : all(ADMIN_KEY, ORGS)) {
            after.put(organization.path("id").asText(), organization);
        }
        assertThat(after.keySet()).containsAll(before.keySet());
        before.forEach((id, organization) -> assertThat(after.get(id)).as(id).isEqualTo(organization));
        JsonNode replayed = expect(as(first.key(), "GET", org(first.id()), null), 200);
        assertThat(replayed.path("name").asText()).isEqualTo("Before Replay");
        assertThat(replayed.path("activeUsers").asInt()).isEqualTo(2);
        assertThat(replayed.path("plan").asText()).isEqualTo("professional");
        assertThat(replayed.path("settings").path("branding").path("color").asText()).isEqualTo("#abcdef");
    }

    @Test
    void aSuspendedOrganizationsKeysMayReadAndEraseButChangeNothing() {
        Fixtures.Tenant tenant = tenant("starter");
        String userId = addUser(tenant.key(), tenant.id(), uniqueEmail("frozen"), "member").path("id").asText();
        String spare = addUser(tenant.key(), tenant.id(), uniqueEmail("erasable"), "member").path("id").asText();
        expect(asAdmin("POST", org(tenant.id()) + "/suspend", map("reason", "unpaid")), 204);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> expectProblem(as(tenant.key(), "PATCH",
                org(tenant.id()), map("name", "Renamed while suspended")), 409, "ORGANIZATION_SUSPENDED"));
        expectProblem(as(tenant.key(), "PATCH", users(tenant.id()) + "/" + userId, map("role", "admin")), 409,
                "ORGANIZATION_SUSPENDED");
        expectProblem(as(tenant.key(), "POST", org(tenant.id()) + "/onboarding/complete", null), 409,
                "ORGANIZATION_SUSPENDED");
        expectProblem(as(tenant.key(), "DELETE", users(tenant.id()) + "/" + userId, null), 409,
                "ORGANIZATION_SUSPENDED");
        assertThat(expect(as(tenant.key(), "GET", org(tenant.id()), null), 200).path("status").asText())
                .isEqualTo("suspended");
        expect(as(tenant.key(), "POST", users(tenant.id()) + "/" + spare + "/erase", null), 204);
        expect(asAdmin("PATCH", org(tenant.id()), map("name", "Renamed by the operator")), 204);

        expect(asAdmin("POST", org(tenant.id()) + "/reactivate", null), 204);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> expect(as(tenant.key(), "PATCH",
                users(tenant.id()) + "/" + userId, map("role", "admin")), 204));
    }

    @Test
    void aNewKeysFirstReadSeesTheOrganizationItWasMadeFor() {
        // another caller than the one who wrote: its key's first minute counts as having written (read-your-writes)
        for (int i = 0; i < 5; i++) {
            String id = expect(asAdmin("POST", ORGS, map("name", "Fresh", "slug", Fixtures.uniqueSlug("fresh"),
                    "plan", "starter")), 201).path("id").asText();
            String key = expect(asAdmin("POST", apiKeys(id), map("name", "first", "scopes", List.of("*"))), 201)
                    .path("key").asText();
            assertThat(expect(as(key, "GET", org(id), null), 200).path("id").asText()).isEqualTo(id);
        }
    }

    @Test
    void replayingTheApiKeysKeepsWhenEachKeyWasLastUsed() {
        Fixtures.Tenant tenant = tenant("starter");
        expect(as(tenant.key(), "GET", org(tenant.id()), null), 200);
        // last use is written in batches every few seconds; listed with the admin key, which is no row of its own
        JsonNode used = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> all(ADMIN_KEY, apiKeys(tenant.id())).get(0), key -> !key.path("lastUsedAt").isNull());

        expect(asAdmin("POST", "/api/v1/admin/processors/api_keys/replay", null), 202);
        awaitCaughtUp("api_keys");

        assertThat(all(ADMIN_KEY, apiKeys(tenant.id()))).containsExactly(used);
    }

    private JsonNode awaitOrganizationsCaughtUp() {
        return awaitCaughtUp("organizations");
    }

    /** Caught up after a replay: no lag, every segment at the head of the log, no error. */
    private JsonNode awaitCaughtUp(String processor) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode status = expect(asAdmin("GET", "/api/v1/admin/processors/" + processor, null), 200);
            assertThat(status.path("error").asBoolean()).as(status.toString()).isFalse();
            return status;
        }, status -> status.path("running").asBoolean() && status.path("lag").asLong() == 0
                && status.path("position").asLong() == status.path("head").asLong()
                && status.path("segments").size() > 0
                && java.util.stream.StreamSupport.stream(status.path("segments").spliterator(), false)
                .allMatch(s -> s.path("caughtUp").asBoolean() && !s.path("errorState").asBoolean()));
    }

    @Test
    void aReplayThatCaughtUpIsNoLongerReportedAsReplaying() {
        Fixtures.createOrganization(api(), "starter");
        expect(asAdmin("POST", "/api/v1/admin/processors/organizations/replay", null), 202);
        JsonNode caughtUp = awaitOrganizationsCaughtUp();
        assertThat(caughtUp.path("replaying").asBoolean()).as(caughtUp.toString()).isFalse();
        assertThat(caughtUp.path("replayProgress").isNull()).as(caughtUp.toString()).isTrue();
        caughtUp.path("segments").forEach(segment ->
                assertThat(segment.path("replaying").asBoolean()).as(caughtUp.toString()).isFalse());
    }

    @Test
    void listsTheEventProcessors() {
        JsonNode processors = expect(asAdmin("GET", "/api/v1/admin/processors", null), 200);
        List<String> names = new ArrayList<>();
        processors.forEach(p -> names.add(p.path("name").asText()));
        assertThat(names).contains("organizations", "users_profile", "api_keys");
        expectProblem(asAdmin("GET", "/api/v1/admin/processors/nope", null), 404, "PROCESSOR_NOT_FOUND");
        expectProblem(asAdmin("POST", "/api/v1/admin/processors/nope/replay", null), 404, "PROCESSOR_NOT_FOUND");
    }

    @Test
    void anOrganizationKeyCannotUseTheAdminEndpoints() {
        Fixtures.Tenant tenant = tenant("starter");
        expectProblem(as(tenant.key(), "GET", "/api/v1/admin/processors", null), 403, "FORBIDDEN");
        expectProblem(as(tenant.key(), "GET", "/api/v1/admin/processors/organizations", null), 403, "FORBIDDEN");
        expectProblem(as(tenant.key(), "POST", "/api/v1/admin/processors/organizations/replay", null), 403, "FORBIDDEN");
    }
}
