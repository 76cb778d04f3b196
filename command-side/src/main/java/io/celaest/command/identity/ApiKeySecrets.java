package io.celaest.command.identity;

import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * API key secrets: {@code cel_} + 32 random bytes (base64url). Only the SHA-256 hash is stored: the secret
 * has 256 bits of entropy, so a slow KDF would add latency to every request without adding safety.
 */
@Component
public class ApiKeySecrets {

    public static final String PREFIX = "cel_";
    private static final int PREFIX_SHOWN = 12;

    private final SecureRandom random = new SecureRandom();

    public record NewKey(String secret, String prefix, byte[] hash) {
    }

    public NewKey generate() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new NewKey(secret, secret.substring(0, PREFIX_SHOWN), hash(secret));
    }

    public static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
