package io.celaest.server.licensing;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.query.licensing.LicenseCertificates;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Exact monthly usage quotas, idempotent usage records, and offline license files. */
class UsageAndCertificateTest extends LicensingTestSupport {

    @Test
    void hundredSimultaneousRecordsAgainstFiftyRemainingSucceedExactlyFiftyTimes() throws Exception {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxAiRequestsPerMonth", 60));
        String usage = "/api/v1/licenses/" + license.id() + "/usage";
        Api.Response first = api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 10));
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().get("remaining").asLong()).isEqualTo(50);

        int clients = 100;
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Api.Response>> results = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 1));
            }));
        }
        go.countDown();
        int ok = 0;
        int exceeded = 0;
        for (Future<Api.Response> result : results) {
            Api.Response response = result.get();
            if (response.status() == 200) {
                ok++;
            } else {
                assertThat(response.status()).as(response.toString()).isEqualTo(409);
                assertThat(response.json().get("code").asText()).isEqualTo("USAGE_LIMIT_EXCEEDED");
                assertThat(response.json().get("used").asLong()).isEqualTo(60);
                assertThat(response.json().get("limit").asLong()).isEqualTo(60);
                assertThat(response.json().get("remaining").asLong()).isZero();
                exceeded++;
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(50);
        assertThat(exceeded).isEqualTo(50);

        JsonNode month = get(tenant.key(), usage);
        assertThat(month.get("period").asText()).isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
        JsonNode ai = month.get("metrics").get(0);
        assertThat(ai.get("metric").asText()).isEqualTo("ai_requests");
        assertThat(ai.get("used").asLong()).isEqualTo(60);
        assertThat(get(tenant.key(), usage + "?period=2020-01").get("metrics").get(0).get("used").asLong()).isZero();
        assertThat(api().call("GET", usage + "?period=2020-13", tenant.key(), null).status()).isEqualTo(400);
    }

    @Test
    void aRetriedUsageRecordWithTheSameIdempotencyKeyCountsOnce() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), null);
        String usage = "/api/v1/licenses/" + license.id() + "/usage";
        Map<String, Object> body = Map.of("metric", "ai_requests", "quantity", 7);
        Api.Response once = api().call("POST", usage, tenant.key(), body, "Idempotency-Key", "usage-42");
        Api.Response again = api().call("POST", usage, tenant.key(), body, "Idempotency-Key", "usage-42");
        assertThat(once.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(once.json());
        assertThat(get(tenant.key(), usage).get("metrics").get(0).get("used").asLong()).isEqualTo(7);
        Api.Response other = api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 8),
                "Idempotency-Key", "usage-42");
        assertThat(other.status()).isEqualTo(422);
    }

    @Test
    void badUsageInputIsA400AndASuspendedLicenseTakesNoUsage() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), null);
        String usage = "/api/v1/licenses/" + license.id() + "/usage";
        assertThat(api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 0)).status())
                .isEqualTo(400);
        assertThat(api().call("POST", usage, tenant.key(), Map.of("metric", "gpu_hours", "quantity", 1)).status())
                .isEqualTo(400);
        assertThat(api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 1.5)).status())
                .isEqualTo(400);
        assertThat(asAdmin("POST", "/api/v1/licenses/" + license.id() + "/suspend", null).status()).isEqualTo(204);
        Api.Response suspended = api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 1));
        assertThat(suspended.status()).isEqualTo(409);
        assertThat(suspended.json().get("licenseStatus").asText()).isEqualTo("suspended");
    }

    @Test
    void theCertificateVerifiesOfflineWithThePublicKeyAndATamperedOneDoesNot() throws Exception {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxIpBindings", 4));
        assertThat(code(validate("127.0.7.1", license.key(), "laptop-1", null))).isEqualTo("VALID");
        JsonNode file = get(tenant.key(), "/api/v1/licenses/" + license.id() + "/certificate");
        // the public key needs no token
        Api.Response key = api().call("GET", "/api/v1/licensing/public-key", null, null);
        assertThat(key.status()).isEqualTo(200);
        assertThat(key.json().get("keyId").asText()).isEqualTo(file.get("keyId").asText());

        // What a client does, with the JDK only (the README shows the same lines).
        PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(key.json().get("publicKey").asText())));
        byte[] certificate = Base64.getDecoder().decode(file.get("certificate").asText());
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(publicKey);
        verifier.update(certificate);
        assertThat(verifier.verify(Base64.getDecoder().decode(file.get("signature").asText()))).isTrue();

        JsonNode terms = Api.JSON.readTree(certificate);
        assertThat(terms.get("licenseId").asText()).isEqualTo(license.id());
        assertThat(terms.get("organizationId").asText()).isEqualTo(tenant.id());
        assertThat(terms.get("limits").get("maxIpBindings").asInt()).isEqualTo(4);
        assertThat(terms.get("bindings").get(0).get("value").asText()).isEqualTo("laptop-1");
        assertThat(terms.get("validUntil").asText()).isNotBlank();

        String forged = Base64.getEncoder().encodeToString(new String(certificate, StandardCharsets.UTF_8)
                .replace("\"maxIpBindings\":4", "\"maxIpBindings\":400").getBytes(StandardCharsets.UTF_8));
        assertThat(LicenseCertificates.verify(key.json().get("publicKey").asText(), forged,
                file.get("signature").asText())).isFalse();
        assertThat(LicenseCertificates.verify(key.json().get("publicKey").asText(), file.get("certificate").asText(),
                file.get("signature").asText())).isTrue();

        // a license no longer in force gets no offline file
        String certificatePath = "/api/v1/licenses/" + license.id() + "/certificate";
        assertThat(asAdmin("POST", "/api/v1/licenses/" + license.id() + "/suspend", Map.of("reason", "unpaid"))
                .status()).isEqualTo(204);
        Api.Response suspended = asAdmin("GET", certificatePath, null);
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(409);
        assertThat(suspended.json().get("licenseStatus").asText()).isEqualTo("suspended");
        assertThat(asAdmin("POST", "/api/v1/licenses/" + license.id() + "/cancel", null).status()).isEqualTo(204);
        assertThat(asAdmin("GET", certificatePath, null).json().get("code").asText())
                .isEqualTo("LICENSE_NOT_IN_FORCE");
    }
}
