package io.celaest.server.licensing;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.LoopbackClient;
import io.celaest.server.support.PlatformTest;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Issues licenses and validates keys through the public API, as clients do. */
abstract class LicensingTestSupport extends PlatformTest {

    record Issued(String id, String key, String organizationId) {
    }

    Fixtures.Tenant tenant() {
        return Fixtures.tenant(api(), "professional");
    }

    Issued issue(String organizationId, String plan, String type, Instant expiresAt, Map<String, Object> customLimits) {
        Map<String, Object> body = new HashMap<>();
        body.put("plan", plan);
        body.put("type", type);
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt.toString());
        }
        if (customLimits != null) {
            body.put("customLimits", customLimits);
        }
        Api.Response issued = asAdmin("POST", "/api/v1/organizations/" + organizationId + "/licenses", body);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        return new Issued(issued.json().get("id").asText(), issued.json().get("key").asText(), organizationId);
    }

    Issued perpetual(String organizationId, Map<String, Object> customLimits) {
        return issue(organizationId, "professional", "perpetual", null, customLimits);
    }

    /** A validation from the given loopback address (127.x.y.z), with an optional fingerprint and product. */
    LoopbackClient.Response validate(String fromIp, String key, String fingerprint, String productId) {
        Map<String, Object> body = new HashMap<>();
        body.put("key", key);
        if (fingerprint != null) {
            body.put("fingerprint", fingerprint);
        }
        if (productId != null) {
            body.put("productId", productId);
        }
        try {
            return LoopbackClient.post(fromIp, port, "/api/v1/licenses/validate", Api.JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    String code(LoopbackClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("code").asText();
    }

    JsonNode get(String token, String path) {
        Api.Response response = api().call("GET", path, token, null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }
}
