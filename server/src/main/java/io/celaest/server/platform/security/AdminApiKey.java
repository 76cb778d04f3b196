package io.celaest.server.platform.security;

import io.celaest.command.identity.ApiKeySecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;

/**
 * The platform operator's key: {@code CELAEST_ADMIN_API_KEY}, or else one generated at first start and
 * written to {@code $CELAEST_HOME/admin-api-key} (mode 600). The log names the file, never the key.
 */
@Component
public class AdminApiKey {

    private static final Logger log = LoggerFactory.getLogger(AdminApiKey.class);

    private final byte[] hash;

    public AdminApiKey(@Value("${celaest.admin-api-key:}") String configured, @Value("${celaest.home}") String home) {
        String key = configured == null || configured.isBlank() ? fromFile(Path.of(home, "admin-api-key")) : configured.trim();
        this.hash = ApiKeySecrets.hash(key);
    }

    /** Constant-time: compares hashes of equal length whatever the candidate. */
    public boolean matches(String candidate) {
        return MessageDigest.isEqual(hash, ApiKeySecrets.hash(candidate));
    }

    private static String fromFile(Path file) {
        try {
            if (Files.exists(file)) {
                log.info("Platform admin API key read from {}", file.toAbsolutePath());
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            String key = new ApiKeySecrets().generate().secret();
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "admin-api-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, key + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            log.info("Generated the platform admin API key; it is in {} (mode 600)", file.toAbsolutePath());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the admin API key file " + file, e);
        }
    }
}
