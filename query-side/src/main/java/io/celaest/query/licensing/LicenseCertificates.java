package io.celaest.query.licensing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.celaest.api.licensing.BindingView;
import io.celaest.api.licensing.LicenseView;
import io.celaest.api.licensing.PlanLimitsView;
import io.celaest.query.platform.Ed25519KeyFile;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Offline license files: the license's terms as JSON, signed with Ed25519, so an application can check them
 * without calling CELAEST until {@code validUntil} (issued + {@code celaest.licensing.certificate-ttl}). The private
 * key is {@code CELAEST_LICENSING_SIGNING_KEY} or {@code $CELAEST_HOME/licensing-signing-key}, never the database;
 * clients get the public key from {@code GET /api/v1/licensing/public-key}.
 */
@Component
public class LicenseCertificates {

    /** What is signed: these exact bytes are {@code certificate} (base64) in the license file. */
    public record Terms(int version, UUID licenseId, UUID organizationId, String plan, UUID productId, String type,
                        String status, PlanLimitsView limits, List<Binding> bindings, Instant issuedAt,
                        Instant expiresAt, Instant validUntil) {
    }

    public record Binding(String kind, String value) {
    }

    public record LicenseFile(String algorithm, String keyId, String certificate, String signature, Terms terms) {
    }

    public record PublicKeyView(String algorithm, String keyId, String publicKey, String format) {
    }

    private final KeyPair keys;
    private final String keyId;
    private final Duration ttl;
    private final ObjectMapper canonical;
    private final Clock clock = Clock.systemUTC();

    public LicenseCertificates(@Value("${celaest.licensing.signing-key:${CELAEST_LICENSING_SIGNING_KEY:}}") String configured,
                               @Value("${celaest.home}") String home,
                               @Value("${celaest.licensing.certificate-ttl:7d}") Duration ttl) {
        this.keys = Ed25519KeyFile.load(configured, Path.of(home, "licensing-signing-key"), "licensing signing key");
        this.keyId = Ed25519KeyFile.idOf(keys.getPublic());
        this.ttl = ttl;
        // Stable bytes: fields in declaration order, ISO-8601 instants.
        this.canonical = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    public LicenseFile issue(LicenseView license, List<BindingView> bindings) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant validUntil = now.plus(ttl);
        if (license.expiresAt() != null && license.expiresAt().isBefore(validUntil)) {
            validUntil = license.expiresAt();
        }
        Terms terms = new Terms(1, license.id(), license.organizationId(), license.plan(), license.productId(),
                license.type(), license.status(), license.limits(),
                bindings.stream().map(b -> new Binding(b.kind(), b.value())).toList(), now, license.expiresAt(),
                validUntil);
        byte[] bytes;
        try {
            bytes = canonical.writeValueAsBytes(terms);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Base64.Encoder base64 = Base64.getEncoder();
        return new LicenseFile(Ed25519KeyFile.ALGORITHM, keyId, base64.encodeToString(bytes),
                base64.encodeToString(Ed25519KeyFile.sign(keys.getPrivate(), bytes)), terms);
    }

    public PublicKeyView publicKey() {
        return new PublicKeyView(Ed25519KeyFile.ALGORITHM, keyId,
                Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()), "X.509 SubjectPublicKeyInfo, base64");
    }

    /** For tests and for the README's example: the same check a client runs. */
    public static boolean verify(String publicKeyBase64, String certificateBase64, String signatureBase64) {
        try {
            return Ed25519KeyFile.verify(Ed25519KeyFile.decodePublic(publicKeyBase64),
                    Base64.getDecoder().decode(certificateBase64), Base64.getDecoder().decode(signatureBase64));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

}
