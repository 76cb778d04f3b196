package io.celaest.server.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Creates organizations and keys through the public API, as a client would. */
public final class Fixtures {

    private Fixtures() {
    }

    public record Tenant(String id, String slug, String key) {
    }

    public static String uniqueSlug(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String createOrganization(Api api, String plan) {
        Api.Response created = api.call("POST", "/api/v1/organizations", PlatformTest.ADMIN_KEY,
                Map.of("name", "Org " + plan, "slug", uniqueSlug("org"), "plan", plan));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    public static String createKey(Api api, String organizationId, List<String> scopes) {
        Api.Response key = api.call("POST", "/api/v1/organizations/" + organizationId + "/api-keys",
                PlatformTest.ADMIN_KEY, Map.of("name", "test key", "scopes", scopes));
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        return key.json().get("key").asText();
    }

    /** An organization with a full-access key of its own. */
    public static Tenant tenant(Api api, String plan) {
        String id = createOrganization(api, plan);
        JsonNode org = api.call("GET", "/api/v1/organizations/" + id, PlatformTest.ADMIN_KEY, null).json();
        return new Tenant(id, org.get("slug").asText(), createKey(api, id, List.of("*")));
    }
}
