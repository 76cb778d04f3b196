package io.celaest.query.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import io.celaest.query.platform.Ed25519KeyFile;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Ed25519 key that signs audit checkpoints. Its private half never enters the database: it is
 * {@code CELAEST_AUDIT_SIGNING_KEY} (base64 PKCS#8), or else one generated at first start and written to
 * {@code $CELAEST_HOME/audit-signing-key} (mode 600). The log names the file and the public key's id, never
 * the private key. Auditors get the public key (X.509, base64) from the checkpoints endpoint. After a key
 * change, the old public keys go into {@code celaest.audit.trusted-public-keys} (comma-separated) so that the
 * checkpoints they signed still verify.
 */
@Component
public class AuditSigningKey {

    public static final String ALGORITHM = "Ed25519";

    private static final Logger log = LoggerFactory.getLogger(AuditSigningKey.class);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;
    /** Public keys that verify checkpoints, by key id: this key and retired ones still trusted. */
    private final Map<String, PublicKey> verifying = new LinkedHashMap<>();

    public AuditSigningKey(@Value("${celaest.audit.signing-key:${CELAEST_AUDIT_SIGNING_KEY:}}") String configured,
                           @Value("${celaest.home}") String home,
                           @Value("${celaest.audit.trusted-public-keys:${CELAEST_AUDIT_TRUSTED_PUBLIC_KEYS:}}")
                           String trusted) {
        KeyPair pair = Ed25519KeyFile.load(configured, Path.of(home, "audit-signing-key"), "audit signing key");
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = idOf(publicKey);
        verifying.put(keyId, publicKey);
        for (String retired : trusted == null ? new String[0] : trusted.split(",")) {
            if (!retired.isBlank()) {
                PublicKey old = decodePublic(retired.trim());
                verifying.putIfAbsent(idOf(old), old);
            }
        }
        selfTest();
        log.info("Audit checkpoints are signed with Ed25519 key {}", keyId);
    }

    public byte[] sign(byte[] data) {
        return Ed25519KeyFile.sign(privateKey, data);
    }

    /** Verifies with this platform's public key. */
    public boolean verify(byte[] data, byte[] signatureBytes) {
        return verify(keyId, data, signatureBytes);
    }

    /**
     * Verifies with the key of that id, when it is this platform's key or a retired one configured in
     * {@code celaest.audit.trusted-public-keys}; never with a key read from the database, which would prove
     * nothing.
     */
    public boolean verify(String keyId, byte[] data, byte[] signatureBytes) {
        PublicKey key = verifying.get(keyId);
        return key != null && Ed25519KeyFile.verify(key, data, signatureBytes);
    }

    /** X.509 SubjectPublicKeyInfo, base64. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    public boolean trusts(String keyId) {
        return verifying.containsKey(keyId);
    }

    /** Retired keys still trusted for verification, by key id (X.509, base64). */
    public Map<String, String> retiredPublicKeys() {
        Map<String, String> retired = new LinkedHashMap<>();
        verifying.forEach((id, key) -> {
            if (!id.equals(keyId)) {
                retired.put(id, Base64.getEncoder().encodeToString(key.getEncoded()));
            }
        });
        return retired;
    }

    /** Hex SHA-256 of the X.509 public key. */
    public String keyId() {
        return keyId;
    }

    /** Generates a fresh key, base64 PKCS#8: the value to give {@code CELAEST_AUDIT_SIGNING_KEY}. */
    public static String generate() {
        return Ed25519KeyFile.generate();
    }

    static String idOf(PublicKey key) {
        return Ed25519KeyFile.idOf(key);
    }

    private static PublicKey decodePublic(String base64) {
        try {
            return Ed25519KeyFile.decodePublic(base64);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("celaest.audit.trusted-public-keys holds a value that is not a base64 "
                    + "X.509 Ed25519 public key", e);
        }
    }

    private void selfTest() {
        byte[] probe = "celaest audit key self-test".getBytes(StandardCharsets.UTF_8);
        if (!verify(probe, sign(probe))) {
            throw new IllegalStateException("The audit signing key does not verify with its own public key");
        }
    }
}
